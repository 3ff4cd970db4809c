/**
 * Pools by name: the built-in `async` and `solo`, and pools that plugins register.
 */
import { ConfigError } from '@q/core';
import type { Plugin, Pool, PoolFactory } from '@q/core';
import { asyncPool } from './async-pool.js';
import { soloPool } from './solo-pool.js';

/** The pools every worker knows. */
export const builtinPools: Readonly<Record<string, PoolFactory>> = Object.freeze({
  async: ({ concurrency }) => asyncPool({ concurrency }),
  solo: () => soloPool(),
});

/**
 * A plugin that registers the built-in pools by name, for apps that look pools up through their plugin
 * host (the worker also falls back to {@link builtinPools} without it).
 */
export function workerPlugin(): Plugin {
  return {
    name: '@q/worker',
    setup(api) {
      for (const [name, factory] of Object.entries(builtinPools)) api.pool(name, factory);
    },
  };
}

/**
 * Create the pool called `name`: plugin pools first (a plugin may replace a built-in), then the built-ins.
 *
 * @throws ConfigError `Q_ERR_CONFIG_INVALID` naming the known pools when `name` is unknown.
 */
export function createPool(
  name: string,
  concurrency: number,
  pluginPools: ReadonlyMap<string, PoolFactory> | Readonly<Record<string, PoolFactory>> = {},
): Pool {
  const fromPlugins = pluginPools instanceof Map ? pluginPools.get(name) : (pluginPools as Record<string, PoolFactory>)[name];
  const factory = fromPlugins ?? builtinPools[name];
  if (!factory) {
    const known = new Set([...Object.keys(builtinPools), ...(pluginPools instanceof Map ? pluginPools.keys() : Object.keys(pluginPools))]);
    throw new ConfigError('Q_ERR_CONFIG_INVALID', `worker.pool: unknown pool "${name}" (known: ${[...known].sort().join(', ')})`);
  }
  return factory({ concurrency });
}
