/**
 * `worker.setAutoscale` (remote control `autoscale`) with real threads: new bounds, the prefetch following `max`.
 */
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defineTasks } from './fixtures/pool-app.js';
import { makeApp, namespace, startWorker } from './helpers.js';

const require = createRequire(import.meta.url);
const FIXTURE = fileURLToPath(new URL('./fixtures/pool-app.ts', import.meta.url));
const TSX = pathToFileURL(require.resolve('tsx/esm/api')).href;

describe('worker.setAutoscale', () => {
  it('changes the bounds of an autoscaling pool; the prefetch follows max; tasks keep running', async () => {
    const ns = namespace();
    const app = makeApp(ns);
    defineTasks(app);
    const childApp = { module: FIXTURE, exportName: 'childApp', args: { ns }, preload: [TSX] };
    const worker = await startWorker(app, { pool: 'threads', autoscale: [3, 1], prefetchMultiplier: 2, childApp });
    expect(worker.pool.concurrency).toBe(3);
    expect(worker.parts.consumer?.prefetch).toBe(6);
    expect(worker.autoscale).toEqual([3, 1]);
    expect(worker.setAutoscale(5, 2)).toEqual([5, 2]);
    expect(worker.autoscale).toEqual([5, 2]);
    expect(worker.pool.concurrency).toBe(5);
    expect(worker.parts.consumer?.prefetch).toBe(10);
    const both = await Promise.all([1, 2].map(() => app.sendTask('pool.cpu', [100])));
    for (const r of both) expect(await r.get({ timeout: 10 })).toBe(true);
    expect(worker.setAutoscale(1, 1)).toEqual([1, 1]);
    expect(worker.parts.consumer?.prefetch).toBe(2);
    expect(await (await app.sendTask('pool.add', [1, 2])).get({ timeout: 10 })).toBe(3);
    expect(() => worker.setAutoscale(1, 2)).toThrow(expect.objectContaining({ code: 'Q_ERR_CONFIG_INVALID' }));
    expect(() => worker.setAutoscale(0, 0)).toThrow(expect.objectContaining({ code: 'Q_ERR_CONFIG_INVALID' }));
  }, 30_000);

  it('a pool without autoscale: Q_ERR_CAPABILITY_UNSUPPORTED', async () => {
    const worker = await startWorker(makeApp(namespace()));
    expect(() => worker.setAutoscale(4, 2)).toThrow(expect.objectContaining({ code: 'Q_ERR_CAPABILITY_UNSUPPORTED' }));
    expect(worker.autoscale).toBeNull();
  });
});
