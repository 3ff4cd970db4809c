/**
 * Pools by name: the ones plugins register (a plugin may replace a built-in), then the built-in `async` and `solo`.
 */
import { ConfigError } from '@q/core';
import type { Pool, PoolDefinition, PoolOptions, PoolRegistration } from '@q/core/adapter';
import { builtinPools } from './builtin-pools.js';
import { toPoolDefinition } from './pool-definition.js';

/** Pools registered by plugins, by name. */
export type PluginPools = ReadonlyMap<string, PoolRegistration> | Readonly<Record<string, PoolRegistration>>;

/** What an app's plugin host (`app.plugins`) tells about its pools. */
export interface PoolRegistrations {
  poolNames(): string[];
  pool(name: string): PoolRegistration | undefined;
}

/** The pools registered on a plugin host, by name. */
export function registeredPools(plugins: PoolRegistrations): Map<string, PoolRegistration> {
  const pools = new Map<string, PoolRegistration>();
  for (const name of plugins.poolNames()) {
    const registration = plugins.pool(name);
    if (registration !== undefined) pools.set(name, registration);
  }
  return pools;
}

function pluginPool(pluginPools: PluginPools, name: string): PoolRegistration | undefined {
  if (pluginPools instanceof Map) return pluginPools.get(name);
  const record = pluginPools as Readonly<Record<string, PoolRegistration>>;
  return Object.hasOwn(record, name) ? record[name] : undefined;
}

/** The definition of the pool called `name` (plugin pools first, then the built-ins), if there is one. */
export function findPool(name: string, pluginPools: PluginPools = {}): PoolDefinition | undefined {
  const registration = pluginPool(pluginPools, name);
  if (registration !== undefined) return toPoolDefinition(registration);
  return Object.hasOwn(builtinPools, name) ? builtinPools[name] : undefined;
}

/**
 * Create the pool called `name`: plugin pools first (a plugin may replace a built-in), then the built-ins. A pool
 * declaring a `fixedConcurrency` is created with it, whatever `concurrency` says.
 *
 * @throws ConfigError `Q_ERR_CONFIG_INVALID` naming the known pools when `name` is unknown.
 */
export function createPool(name: string, concurrency: number, pluginPools: PluginPools = {}, extra: Omit<PoolOptions, 'concurrency'> = {}): Pool {
  const definition = findPool(name, pluginPools);
  if (!definition) {
    const known = new Set([...Object.keys(builtinPools), ...(pluginPools instanceof Map ? pluginPools.keys() : Object.keys(pluginPools))]);
    throw new ConfigError('Q_ERR_CONFIG_INVALID', `worker.pool: unknown pool "${name}" (known: ${[...known].sort().join(', ')})`);
  }
  return definition.create({ ...extra, concurrency: definition.fixedConcurrency ?? concurrency });
}
