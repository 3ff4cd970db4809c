/** `q inspect` / `q control` / `q status` and `app.control` against a Python worker (a group of `control-cases.ts`). */
import { setTimeout as delay } from 'node:timers/promises';
import type { App } from '@q/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { stopAll } from './managed-process.js';
import type { ManagedProcess } from './managed-process.js';
import { startPythonWorker } from './python-celery.js';
import type { InteropEnv } from './python-celery.js';
import { celeryJson, q, qJson, expectStatsShape, requestInfo, expectRevoked, clientApp, NODES, PYTHON_INTEROP_TASKS, KOMBU_QUEUE_KEYS } from './control-support.js';
import type { ControlInteropSuite } from './control-support.js';

/** `q inspect` / `q control` / `q status` and `app.control` against a Python worker. */
export function qControlsPython(s: ControlInteropSuite): void {
  describe(`q inspect/control → a Python worker (${s.broker})`, () => {
    const P = NODES.python;
    let urls: InteropEnv;
    let app: App;
    let worker: ManagedProcess;
    const inspect = async (...args: string[]) => (await qJson(urls, ['inspect', ...args, '-d', P])) as Record<string, unknown>;
    const control = async (...args: string[]) => (await qJson(urls, ['control', ...args, '-d', P])) as unknown[];

    beforeAll(async () => {
      urls = s.urls();
      app = clientApp(urls, 'q-control-client');
      // prefork -c 2: the worker answers while a task runs, and can terminate it
      worker = await startPythonWorker(s.python, urls, { hostname: P, extraArgs: ['-P', 'prefork', '-c', '2'] });
    }, 60_000);

    afterAll(async () => {
      await stopAll();
      await app?.close();
    });

    it("baseline, Python to Python: Celery's own celery inspect ping reaches the Python worker through this harness", async () => {
      expect(await celeryJson(s.python, urls, ['inspect', 'ping', '-d', P])).toEqual({ [P]: { ok: 'pong' } });
    });

    it('q inspect ping -d <py node>, app.control.ping and inspect().ping(): pong', async () => {
      expect(await inspect('ping')).toEqual({ [P]: { ok: 'pong' } });
      expect(await app.control.ping({ destination: [P], timeout: 2 })).toEqual([{ [P]: { ok: 'pong' } }]);
      expect(await app.control.inspect({ destination: [P], timeout: 2 }).ping()).toEqual({ [P]: { ok: 'pong' } });
    });

    it("q inspect stats and inspect().stats(): the Python worker's pid, clock string, prefork pool, broker", async () => {
      const stats = (await inspect('stats'))[P] as Record<string, unknown>;
      expectStatsShape(stats, s.brokerInfo);
      expect(stats['pid']).toBe(worker.child.pid);
      expect(stats['pool']).toMatchObject({ 'max-concurrency': 2, processes: [expect.any(Number), expect.any(Number)] });
      const typed = await app.control.inspect({ destination: [P], timeout: 2 }).stats();
      expect(typed?.[P]?.pid).toBe(worker.child.pid);
      expectStatsShape(typed?.[P], s.brokerInfo);
    });

    it('q inspect registered and active_queues read the Python replies', async () => {
      expect(await inspect('registered')).toEqual({ [P]: PYTHON_INTEROP_TASKS });
      const queues = (await inspect('active_queues'))[P] as Record<string, unknown>[];
      expect(queues.map((queue) => queue['name'])).toEqual(['celery']);
      expect(Object.keys(queues[0] ?? {}).sort()).toEqual(KOMBU_QUEUE_KEYS);
      const typed = await app.control.inspect({ destination: [P], timeout: 2 }).activeQueues();
      expect(typed?.[P]?.map((queue) => queue.name)).toEqual(['celery']);
    });

    it('q control rate_limit tasks.add 10/m: the Python worker sets it; app.control.rateLimit resets it', async () => {
      expect(await control('rate_limit', 'tasks.add', '10/m')).toEqual([{ [P]: { ok: 'new rate limit set successfully' } }]);
      expect((await inspect('registered'))[P]).toContain('tasks.add [rate_limit=10/m]');
      expect(await app.control.rateLimit('tasks.nope', '1/s', { destination: [P], reply: true, timeout: 2 })).toEqual([
        { [P]: { error: 'unknown task' } },
      ]);
      expect(await app.control.rateLimit('tasks.add', 0, { destination: [P], reply: true, timeout: 2 })).toEqual([
        { [P]: { ok: 'rate limit disabled successfully' } },
      ]);
    });

    it('q inspect scheduled shows a countdown task; q control revoke flags it; q inspect revoked lists it; it ends REVOKED', async () => {
      const result = await app.sendTask('tasks.add', [2, 2], {}, { countdown: 4 });
      await vi.waitFor(async () => {
        const scheduled = (await inspect('scheduled'))[P] as Record<string, unknown>[];
        expect(scheduled).toEqual([
          {
            eta: expect.stringMatching(/\+00:00$/),
            priority: expect.any(Number),
            request: expect.objectContaining(requestInfo(result.id, 'tasks.add', [2, 2], P)),
          },
        ]);
      }, { timeout: 10_000, interval: 200 });
      expect(await control('revoke', result.id)).toEqual([{ [P]: { ok: `tasks ${result.id} flagged as revoked` } }]);
      expect(await inspect('revoked')).toEqual({ [P]: [result.id] });
      await expectRevoked(result);
    });

    it('q inspect active / query_task show a running Python task; q control terminate SIGTERM ends it: REVOKED', async () => {
      const result = await app.sendTask('tasks.sleep', [30]);
      let active: Record<string, unknown>[] = [];
      await vi.waitFor(async () => {
        active = (await inspect('active'))[P] as Record<string, unknown>[];
        expect(active.map((r) => r['id'])).toContain(result.id);
      }, { timeout: 10_000, interval: 200 });
      expect(active.find((r) => r['id'] === result.id)).toMatchObject({
        ...requestInfo(result.id, 'tasks.sleep', [30], P),
        time_start: expect.any(Number),
        acknowledged: true,
        worker_pid: expect.any(Number),
      });
      expect(await inspect('query_task', result.id)).toEqual({ [P]: { [result.id]: ['active', expect.objectContaining({ id: result.id })] } });
      const typed = await app.control.inspect({ destination: [P], timeout: 2 }).active();
      expect(typed?.[P]?.map((r) => r.id)).toContain(result.id);
      expect(await control('terminate', 'SIGTERM', result.id)).toEqual([{ [P]: { ok: `terminate: ${result.id}` } }]);
      await expectRevoked(result);
    });

    it('app.control.revoke([ids]) and inspect().queryTask() / .revoked() against Python', async () => {
      const ids = ['ctl-revoke-a', 'ctl-revoke-b'];
      // Python joins a set: either order
      expect(await app.control.revoke(ids, { destination: [P], reply: true, timeout: 2 })).toEqual([
        { [P]: { ok: expect.stringMatching(/^tasks (ctl-revoke-a, ctl-revoke-b|ctl-revoke-b, ctl-revoke-a) flagged as revoked$/) } },
      ]);
      const revoked = await app.control.inspect({ destination: [P], timeout: 2 }).revoked();
      expect(revoked?.[P]).toEqual(expect.arrayContaining(ids));
      expect(await app.control.inspect({ destination: [P], timeout: 2 }).queryTask('no-such-task')).toEqual({ [P]: {} });
    });

    it('q status -d <py node>: "->  <node>: OK", "1 node online."', async () => {
      const run = await q(urls, ['status', '-d', P]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain(`->  ${P}: OK`);
      expect(run.stdout).toMatch(/1 node online\./);
    });

    it('app.control.shutdown({destination}) stops the Python worker', async () => {
      expect(await app.control.shutdown({ destination: [P] })).toEqual([]);
      const code = await Promise.race([worker.exited(), delay(15_000).then(() => 'still running')]);
      expect(code, worker.output()).toBe(0);
      // (Celery itself logs a traceback for the unknown task's rate_limit above)
      expect(worker.output()).not.toMatch(/Unrecoverable error|unknown message|Can't decode message body/i);
    });
  });
}
