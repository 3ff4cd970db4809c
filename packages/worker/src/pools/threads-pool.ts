/**
 * The `threads` pool: threads (`worker_threads`), each loading the app module, one task per child at a
 * time. Unlike Celery's `threads` pool (Python threads sharing one interpreter), each thread has its own isolate, so tasks run in parallel.
 */
import type { Pool, PoolCapabilities, PoolDefinition, PoolOptions } from '@q/core/adapter';
import { QError } from '@q/core';
import { spawnThread } from './child-handle.js';
import { childPool } from './child-pool.js';

/** What the `threads` pool can do: bodies in threads, killed at a hard limit or a revoke with terminate. */
export const THREADS_CAPABILITIES: PoolCapabilities = Object.freeze({ isolation: 'thread', hardTimeout: true, terminate: true });

/** Create a `threads` pool; `options.childApp` says how each child loads the app. */
export function threadsPool(options: PoolOptions): Pool {
  if (options.childApp === undefined) {
    throw new QError('Q_ERR_CONFIG_INVALID', 'pool threads: each child loads the app module: give createWorker({ childApp }) (the `q worker -A` command does)');
  }
  return childPool({
    name: 'threads',
    capabilities: THREADS_CAPABILITIES,
    spawn: spawnThread(options.childApp.preload ?? []),
    concurrency: options.concurrency,
    childApp: options.childApp,
    maxTasksPerChild: options.maxTasksPerChild,
    maxMemoryPerChild: options.maxMemoryPerChild,
    autoscale: options.autoscale,
    optimization: options.optimization,
  });
}

/** The `threads` pool by name: default concurrency the number of CPUs. */
export const threadsPoolDefinition: PoolDefinition = Object.freeze<PoolDefinition>({
  create: threadsPool,
  defaultConcurrency: 'cpus',
  capabilities: THREADS_CAPABILITIES,
});
