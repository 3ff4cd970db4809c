/**
 * The `prefork` pool: child processes (`child_process`), each loading the app module, one task per child at a
 * time (Celery's `-P prefork`).
 */
import type { Pool, PoolCapabilities, PoolDefinition, PoolOptions } from '@q/core/adapter';
import { QError } from '@q/core';
import { spawnProcess } from './child-handle.js';
import { childPool } from './child-pool.js';

/** What the `prefork` pool can do: bodies in processes, killed at a hard limit or a revoke with terminate. */
export const PREFORK_CAPABILITIES: PoolCapabilities = Object.freeze({ isolation: 'process', hardTimeout: true, terminate: true });

/** Create a `prefork` pool; `options.childApp` says how each child loads the app. */
export function preforkPool(options: PoolOptions): Pool {
  if (options.childApp === undefined) {
    throw new QError('Q_ERR_CONFIG_INVALID', 'pool prefork: each child loads the app module: give createWorker({ childApp }) (the `q worker -A` command does)');
  }
  return childPool({
    name: 'prefork',
    capabilities: PREFORK_CAPABILITIES,
    spawn: spawnProcess(options.childApp.preload ?? []),
    concurrency: options.concurrency,
    childApp: options.childApp,
    maxTasksPerChild: options.maxTasksPerChild,
    maxMemoryPerChild: options.maxMemoryPerChild,
    autoscale: options.autoscale,
    optimization: options.optimization,
  });
}

/** The `prefork` pool by name: default concurrency the number of CPUs. */
export const preforkPoolDefinition: PoolDefinition = Object.freeze<PoolDefinition>({
  create: preforkPool,
  defaultConcurrency: 'cpus',
  capabilities: PREFORK_CAPABILITIES,
});
