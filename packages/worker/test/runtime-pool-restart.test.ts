/**
 * `worker.restartPool()` (remote control `pool_restart`) with real child processes and threads: every child is
 * replaced, a busy one after its task, and no task is lost; `inspect active` names the child running a task.
 */
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ChildAppSource } from '@q/core/adapter';
import { defineTasks } from './fixtures/pool-app.js';
import { makeApp, namespace, startWorker, until } from './helpers.js';

const require = createRequire(import.meta.url);
const FIXTURE = fileURLToPath(new URL('./fixtures/pool-app.ts', import.meta.url));
const TSX = pathToFileURL(require.resolve('tsx/esm/api')).href;

const childApp = (ns: string): ChildAppSource => ({ module: FIXTURE, exportName: 'childApp', args: { ns }, preload: [TSX] });

type Where = { pid: number; threadId: number };
const key = (w: Where): string => `${w.pid}/${w.threadId}`;

for (const pool of ['prefork', 'threads'] as const) {
  describe(`restartPool: ${pool}`, () => {
    it('replaces every child (the busy one after its task); tasks sent meanwhile run in new children', async () => {
      const ns = namespace();
      const app = makeApp(ns);
      defineTasks(app);
      const worker = await startWorker(app, { pool, concurrency: 2, childApp: childApp(ns) });
      const before = new Set<string>();
      for (let i = 0; i < 6; i++) before.add(key((await (await app.sendTask('pool.where')).get({ timeout: 10 })) as Where));

      const busy = await app.sendTask('pool.sleep', [1200]);
      await until(() => worker.requests().active, (a) => a.length === 1, 5000);
      const [running] = worker.requests().active;
      if (pool === 'prefork') expect(running?.workerPid).not.toBe(process.pid);
      else expect(running?.workerPid).toBe(process.pid);
      if (pool === 'prefork') expect([...before].map((k) => Number(k.split('/')[0]))).toContain(running?.workerPid);

      const restarting = worker.restartPool();
      const during = await Promise.all([1, 2, 3].map(() => app.sendTask('pool.where')));
      await restarting;
      const after = await Promise.all([1, 2, 3, 4].map(() => app.sendTask('pool.where')));
      for (const r of [...during, ...after]) {
        const where = (await r.get({ timeout: 10 })) as Where;
        expect(before.has(key(where))).toBe(false);
      }
      expect(await busy.get({ timeout: 10 })).toBe(1200);
      expect(worker.pool.concurrency).toBe(2);
      expect(worker.pool.active).toBe(0);
    }, 30_000);

    it('-O default: jobs queued behind a busy task in an old child run in a new one', async () => {
      const ns = namespace();
      const app = makeApp(ns);
      defineTasks(app);
      const worker = await startWorker(app, { pool, concurrency: 1, optimization: 'default', childApp: childApp(ns) });
      const old = key((await (await app.sendTask('pool.where')).get({ timeout: 10 })) as Where);
      const busy = await app.sendTask('pool.sleep', [1000]);
      const queued = await Promise.all([1, 2, 3].map(() => app.sendTask('pool.where')));
      await until(() => worker.requests(), (r) => r.active.length === 1 && r.reserved.length === 3, 5000);
      await worker.restartPool();
      for (const r of queued) expect(key((await r.get({ timeout: 10 })) as Where)).not.toBe(old);
      expect(await busy.get({ timeout: 10 })).toBe(1000);
    }, 30_000);
  });
}

describe('restartPool: in-process pools', () => {
  it('async and solo cannot restart: Q_ERR_CAPABILITY_UNSUPPORTED', async () => {
    for (const pool of ['async', 'solo']) {
      const app = makeApp(namespace());
      const worker = await startWorker(app, { pool });
      await expect(worker.restartPool()).rejects.toMatchObject({ code: 'Q_ERR_CAPABILITY_UNSUPPORTED' });
      await worker.stop();
    }
  });
});
