/**
 * The pools every worker knows, by name, with their declared concurrency.
 */
import type { PoolDefinition } from '@q/core/adapter';
import { asyncPoolDefinition } from './async-pool.js';
import { soloPoolDefinition } from './solo-pool.js';

/** The built-in pools: `async` (default concurrency 100) and `solo` (always 1). */
export const builtinPools: Readonly<Record<string, PoolDefinition>> = Object.freeze({
  async: asyncPoolDefinition,
  solo: soloPoolDefinition,
});
