/**
 * The `pool` bootstep: creates and starts the execution pool.
 */
import type { Bootstep } from '@q/core';
import { createPool, registeredPools } from '../pools/create-pool.js';
import type { WorkerHost } from './worker-host.js';

/** Creates the pool by name (plugin pools first, then `async`/`solo`) or takes the given instance. */
export const poolStep: Bootstep<WorkerHost> = {
  name: 'pool',
  async start(worker) {
    const { pool, poolName, concurrency, poolOptions } = worker.options;
    const instance = typeof pool === 'string' ? createPool(poolName, concurrency, registeredPools(worker.app.plugins), poolOptions) : pool;
    await instance.start();
    worker.parts.pool = instance;
  },
  async stop(worker, { graceful }) {
    await worker.parts.pool?.stop({ graceful });
  },
};
