/**
 * The `solo` pool: one task at a time (Celery's `-P solo`).
 */
import type { Pool, PoolDefinition } from '@q/core/adapter';
import { slotPool } from './slot-pool.js';

/**
 * Run one task at a time, in arrival order. Unlike Celery's solo pool the consumer is not blocked while a
 * task runs: messages keep arriving (up to the prefetch limit) and wait for the slot.
 */
export function soloPool(): Pool {
  return slotPool('solo', 1);
}

/** The `solo` pool as registered by name: always one task at a time, whatever concurrency is asked for. */
export const soloPoolDefinition: PoolDefinition = Object.freeze<PoolDefinition>({
  create: () => soloPool(),
  defaultConcurrency: 1,
  fixedConcurrency: 1,
});
