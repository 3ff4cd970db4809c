/**
 * `-O default` on the pools with children: a child holds up to eight jobs (refilled when down to two), runs them one after the other, and is
 * the only one that may start them. Jobs queued in a child are never lost: they move to a child that goes idle,
 * run elsewhere when their child dies or is recycled, and go back to the broker (not acked) at a warm shutdown.
 */
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { App } from '@q/core';
import type { ChildAppSource } from '@q/core/adapter';
import { defineTasks } from './fixtures/pool-app.js';
import { makeApp, namespace, startWorker, until } from './helpers.js';

const require = createRequire(import.meta.url);
const FIXTURE = fileURLToPath(new URL('./fixtures/pool-app.ts', import.meta.url));
const TSX = pathToFileURL(require.resolve('tsx/esm/api')).href;

/** The stored state of `id` now (PENDING when nothing is stored). */
async function stored(app: App, id: string): Promise<{ status: string }> {
  const backend = await app.getBackend();
  return (await backend?.getTaskMeta(id)) ?? { status: 'PENDING' };
}

const childApp = (ns: string): ChildAppSource => ({ module: FIXTURE, exportName: 'childApp', args: { ns }, preload: [TSX] });

async function setup(pool: 'prefork' | 'threads', options: Record<string, unknown> = {}) {
  const ns = namespace();
  const app = makeApp(ns);
  defineTasks(app);
  const worker = await startWorker(app, { pool, concurrency: 2, optimization: 'default', childApp: childApp(ns), ...options });
  return { ns, app, worker };
}

describe('-O default: jobs queued in children', () => {
  it('runs CPU-bound tasks on both children (a child that starts late takes queued work)', async () => {
    const { app } = await setup('prefork');
    const results = await Promise.all([1, 2, 3, 4].map(() => app.sendTask<string>('pool.cpuWhere', [300])));
    const runners = new Set<string>();
    for (const r of results) runners.add(await r.get({ timeout: 10 }));
    // Which process ran each task, not how long it took (a timed assertion fails on a loaded machine).
    expect(runners.size).toBe(2);
    expect([...runners].some((where) => where.startsWith(`${process.pid}/`))).toBe(false);
  });

  for (const pool of ['prefork', 'threads'] as const) {
    it(`${pool}: short tasks queued behind a long awaiting one move to the idle child and finish first`, async () => {
      const { app } = await setup(pool, { concurrency: 2 });
      // One long task, then short ones: some land behind it in its child, and must not wait for it.
      const long = await app.sendTask('pool.sleep', [2500]);
      const short = await Promise.all(Array.from({ length: 8 }, (_, i) => app.sendTask('pool.add', [i, 1])));
      for (const [i, r] of short.entries()) expect(await r.get({ timeout: 2000 })).toBe(i + 1);
      expect((await stored(app, long.id)).status).not.toBe('SUCCESS');
      expect(await long.get({ timeout: 10 })).toBe(2500);
    });
  }

  it('a child killed by a hard limit: the job it ran fails, the jobs queued behind it run in its replacement', async () => {
    const { app } = await setup('prefork', { concurrency: 1, timeLimit: 1 });
    const spin = await app.sendTask('pool.spin');
    const after = await Promise.all([1, 2, 3].map((i) => app.sendTask('pool.add', [i, i])));
    await expect(spin.get({ timeout: 10 })).rejects.toMatchObject({ excType: 'TimeLimitExceeded' });
    for (const [i, r] of after.entries()) expect(await r.get({ timeout: 10 })).toBe(2 * (i + 1));
  });

  it('a child that dies: its task fails with WorkerLostError, the ones queued behind it run elsewhere', async () => {
    const { app } = await setup('prefork', { concurrency: 1 });
    const killed = await app.sendTask('pool.sigkill');
    const after = await Promise.all([1, 2, 3].map((i) => app.sendTask('pool.add', [i, 10])));
    await expect(killed.get({ timeout: 10 })).rejects.toMatchObject({ excType: 'WorkerLostError' });
    for (const [i, r] of after.entries()) expect(await r.get({ timeout: 10 })).toBe(i + 11);
  });

  it('maxTasksPerChild: a child runs at most that many, the rest of its queue goes to the next child', async () => {
    const { app } = await setup('prefork', { concurrency: 1, maxTasksPerChild: 2 });
    const results = await Promise.all(Array.from({ length: 7 }, () => app.sendTask('pool.where')));
    const pids = await Promise.all(results.map(async (r) => ((await r.get({ timeout: 15 })) as { pid: number }).pid));
    const perChild = new Map<number, number>();
    for (const pid of pids) perChild.set(pid, (perChild.get(pid) ?? 0) + 1);
    expect(Math.max(...perChild.values())).toBeLessThanOrEqual(2);
    expect(perChild.size).toBeGreaterThanOrEqual(4);
  });

  it('a warm shutdown finishes the running task; the ones queued in its child go back to the broker and run on the next worker', async () => {
    const { ns, app, worker } = await setup('prefork', { concurrency: 1, closeApp: false });
    const running = await app.sendTask('pool.sleep', [600]);
    await until(() => worker.stats().active, (n) => n >= 1, 10_000);
    const queued = await Promise.all([1, 2, 3].map((i) => app.sendTask('pool.add', [i, 100])));
    // two of them queue in the child (refilled while it holds ≤ 2), the third waits in the parent: none is acked
    await until(() => worker.stats().active, (n) => n >= 3, 10_000);
    await worker.stop({ graceful: true });
    expect(await running.get({ timeout: 5 })).toBe(600);
    for (const r of queued) expect((await stored(app, r.id)).status).toBe('PENDING');
    await startWorker(app, { pool: 'prefork', concurrency: 1, optimization: 'default', childApp: childApp(ns) });
    for (const [i, r] of queued.entries()) expect(await r.get({ timeout: 15 })).toBe(i + 101);
  });
});
