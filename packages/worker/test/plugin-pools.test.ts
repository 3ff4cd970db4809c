/**
 * Pools registered by plugins: the worker resolves their concurrency from what they declare, once the app has
 * set its plugins up, and runs tasks in them.
 */
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '@q/core';
import type { Plugin } from '@q/core';
import type { PoolOptions, PoolRegistration } from '@q/core/adapter';
import { asyncPool, createWorker } from '../src/index.js';
import { makeApp, namespace, startWorker } from './helpers.js';

/** A plugin registering `registration` as the `threads` pool. */
function threadsPlugin(registration: PoolRegistration): Plugin {
  return { name: 'threads-pool', setup: (api) => api.pool('threads', registration) };
}

describe('worker: plugin pools', () => {
  it('gives a plugin pool the default concurrency it declares, and runs tasks in it', async () => {
    const created: PoolOptions[] = [];
    const app = makeApp(namespace(), {
      plugins: [
        threadsPlugin({
          create: (options) => {
            created.push(options);
            return asyncPool(options);
          },
          defaultConcurrency: 3,
        }),
      ],
    });
    app.task({ name: 'tasks.add' }, (a: number, b: number) => a + b);
    const worker = await startWorker(app, { pool: 'threads', prefetchMultiplier: 2 });
    expect(created).toEqual([{ concurrency: 3 }]);
    expect(worker.options).toMatchObject({ poolName: 'threads', concurrency: 3, prefetch: 6 });
    expect(worker.pool.concurrency).toBe(3);
    expect(worker.stats().pool).toEqual({ name: 'threads', concurrency: 3 });
    expect(await (await app.sendTask('tasks.add', [2, 3])).get({ timeout: 3 })).toBe(5);
  });

  it('knows the declared default once the app is connected, before the worker starts (as the CLI banner reads it)', async () => {
    const app = makeApp(namespace(), { plugins: [threadsPlugin({ create: (o) => asyncPool(o), defaultConcurrency: 3 })] });
    const worker = createWorker(app, { pool: 'threads', closeApp: false, logger: silentLogger });
    await app.connect();
    expect(worker.options.concurrency).toBe(3);
  });

  it('gives a plugin pool registered as a bare factory the number of CPUs', async () => {
    const created: PoolOptions[] = [];
    const bare = (options: PoolOptions) => {
      created.push(options);
      return asyncPool(options);
    };
    const app = makeApp(namespace(), { plugins: [threadsPlugin(bare)] });
    const worker = await startWorker(app, { pool: 'threads' });
    expect(created).toEqual([{ concurrency: availableParallelism() }]);
    expect(worker.options.concurrency).toBe(availableParallelism());
  });

  it('takes a given concurrency over a plugin pool’s declared default', async () => {
    const app = makeApp(namespace(), { plugins: [threadsPlugin({ create: (o) => asyncPool(o), defaultConcurrency: 3 })] });
    const worker = await startWorker(app, { pool: 'threads', concurrency: 5 });
    expect(worker.pool.concurrency).toBe(5);
  });

  it('fails the start with a ConfigError when a plugin pool declares a concurrency that is not a positive integer', async () => {
    const app = makeApp(namespace(), { plugins: [threadsPlugin({ create: (o) => asyncPool(o), defaultConcurrency: 0 })] });
    const worker = createWorker(app, { pool: 'threads', logger: silentLogger });
    await expect(worker.start()).rejects.toMatchObject({ code: 'Q_ERR_CONFIG_INVALID', message: expect.stringContaining('worker.concurrency') });
    expect(worker.state).toBe('stopped');
  });

  it('runs solo with one slot even when a concurrency is given', async () => {
    const app = makeApp(namespace());
    const worker = await startWorker(app, { pool: 'solo', concurrency: 8 });
    expect(worker.options.concurrency).toBe(1);
    expect(worker.pool.concurrency).toBe(1);
  });
});
