/**
 * The `async` pool: many tasks interleaved on the event loop.
 */
import type { Pool, PoolDefinition } from '@q/core/adapter';
import { slotPool } from './slot-pool.js';

/** Default concurrency of the `async` pool: tasks are promises, so many can wait on I/O at once. */
export const ASYNC_POOL_DEFAULT_CONCURRENCY = 100;

/** Options of {@link asyncPool}. */
export interface AsyncPoolOptions {
  /** Tasks running at once (default {@link ASYNC_POOL_DEFAULT_CONCURRENCY}). */
  concurrency?: number;
}

/**
 * Run tasks as promises on the event loop, at most `concurrency` at once; more wait for a free slot.
 * CPU-bound task bodies block every other task: use it for I/O-bound work.
 *
 * Hard time limits cannot kill a promise: the job is reported as timed out at once (the task fails with
 * `TimeLimitExceeded`), its signal is aborted, and whatever it returns later is discarded; its slot stays taken
 * until the promise settles, so never more than `concurrency` task bodies run, abandoned ones included. Use
 * `prefork` or `threads` for limits that stop the body.
 */
export function asyncPool(options: AsyncPoolOptions = {}): Pool {
  return slotPool('async', options.concurrency ?? ASYNC_POOL_DEFAULT_CONCURRENCY);
}

/** The `async` pool as registered by name: default concurrency {@link ASYNC_POOL_DEFAULT_CONCURRENCY}. */
export const asyncPoolDefinition: PoolDefinition = Object.freeze<PoolDefinition>({
  create: ({ concurrency }) => asyncPool({ concurrency }),
  defaultConcurrency: ASYNC_POOL_DEFAULT_CONCURRENCY,
});
