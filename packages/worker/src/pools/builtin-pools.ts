/**
 * The pools every worker knows, by name, with their declared concurrency.
 */
import type { PoolDefinition } from '@q/core/adapter';
import { asyncPoolDefinition } from './async-pool.js';
import { preforkPoolDefinition } from './prefork-pool.js';
import { soloPoolDefinition } from './solo-pool.js';
import { threadsPoolDefinition } from './threads-pool.js';

/** The built-in pools: `async` (default concurrency 100), `solo` (always 1), `prefork` and `threads` (the number of CPUs). */
export const builtinPools: Readonly<Record<string, PoolDefinition>> = Object.freeze({
  async: asyncPoolDefinition,
  solo: soloPoolDefinition,
  prefork: preforkPoolDefinition,
  threads: threadsPoolDefinition,
});
