/** `createDashboard` consumes the app's events: a q worker with task events on the memory broker shows up in the API. */
import { randomUUID } from 'node:crypto';
import { createApp, memoryQueueDriver, silentLogger } from '@q/core';
import { eventsPlugin } from '@q/events';
import { createWorker } from '@q/worker';
import { afterEach, describe, expect, it } from 'vitest';
import { createDashboard } from './dashboard.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('createDashboard on a broker', () => {
  it("receives a worker's heartbeats and task events, and asks its stats through remote control", async () => {
    const ns = randomUUID();
    const workerApp = createApp({ name: 'dash-recv', broker: memoryQueueDriver({ namespace: ns }), plugins: [eventsPlugin()], logger: silentLogger });
    cleanups.push(() => workerApp.close());
    workerApp.task({ name: 'tasks.add', params: ['x', 'y'] }, (x: number, y: number) => x + y);
    const worker = createWorker(workerApp, { hostname: 'r1@test', sendTaskEvents: true, heartbeatInterval: 0.1, logger: silentLogger, closeApp: false });
    cleanups.push(() => worker.stop({ graceful: false }));

    const app = createApp({ name: 'dash-recv', broker: memoryQueueDriver({ namespace: ns }), logger: silentLogger });
    cleanups.push(() => app.close());
    const dashboard = createDashboard(app, { refreshInterval: 60 });
    cleanups.push(() => dashboard.close());
    await dashboard.start();
    await worker.start();

    const sent = await app.sendTask('tasks.add', [2, 3]);
    const task = async () => (await dashboard.server.inject({ url: `/api/tasks/${sent.id}` })).json<{ state?: string; result?: string }>();
    await until(async () => (await task()).state === 'SUCCESS');
    expect(await task()).toMatchObject({ state: 'SUCCESS', result: '5' });

    await dashboard.cache.refresh();
    const workers = (await dashboard.server.inject({ url: '/api/workers' })).json<{ workers: { hostname: string; status: string; pool: unknown; queues: string[] }[] }>();
    expect(workers.workers).toMatchObject([{ hostname: 'r1@test', status: 'ONLINE', pool: { maxConcurrency: expect.any(Number) }, queues: ['celery'] }]);
    const rates = (await dashboard.server.inject({ url: '/api/rates?seconds=10' })).json<{ points: number[][] }>();
    expect(rates.points.reduce((n, p) => n + (p[1] ?? 0), 0)).toBe(1);
  });
});
