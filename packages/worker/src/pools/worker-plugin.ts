/**
 * The plugin that registers the built-in pools by name.
 */
import type { Plugin } from '@q/core';
import { builtinPools } from './builtin-pools.js';

/**
 * A plugin that registers the built-in pools by name, for apps that look pools up through their plugin
 * host (the worker also falls back to {@link builtinPools} without it).
 */
export function workerPlugin(): Plugin {
  return {
    name: '@q/worker',
    setup(api) {
      for (const [name, definition] of Object.entries(builtinPools)) api.pool(name, definition);
    },
  };
}
