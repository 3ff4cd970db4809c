/**
 * The `pool` bootstep: creates and starts the execution pool.
 */
import type { Bootstep, PoolFactory } from '@q/core';
import { createPool } from '../pools/registry.js';
import type { WorkerHost } from './worker-host.js';

function pluginPools(worker: WorkerHost): Map<string, PoolFactory> {
  const host = worker.app.plugins;
  const pools = new Map<string, PoolFactory>();
  for (const name of host.poolNames()) {
    const factory = host.pool(name);
    if (factory) pools.set(name, factory);
  }
  return pools;
}

/** Creates the pool by name (plugin pools first, then `async`/`solo`) or takes the given instance. */
export const poolStep: Bootstep<WorkerHost> = {
  name: 'pool',
  async start(worker) {
    const { pool, poolName, concurrency } = worker.options;
    const instance = typeof pool === 'string' ? createPool(poolName, concurrency, pluginPools(worker)) : pool;
    await instance.start();
    worker.parts.pool = instance;
  },
  async stop(worker, { graceful }) {
    await worker.parts.pool?.stop({ graceful });
  },
};
