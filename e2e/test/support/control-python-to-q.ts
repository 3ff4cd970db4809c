/** Python's `celery inspect` / `celery control` and Celery's `app.control` against a q worker (a group of `control-cases.ts`). */
import { setTimeout as delay } from 'node:timers/promises';
import type { App } from '@q/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { stopAll } from './managed-process.js';
import type { ManagedProcess } from './managed-process.js';
import { PythonClient } from './python-celery.js';
import type { InteropEnv } from './python-celery.js';
import { startQWorker } from './q-worker.js';
import { celery, celeryJson, celeryControl, expectStatsShape, requestInfo, expectRevoked, clientApp, NODES, INTEROP_TASKS, KOMBU_QUEUE_KEYS } from './control-support.js';
import type { ControlInteropSuite } from './control-support.js';

/** Python's `celery inspect` / `celery control` and Celery's `app.control` against a q worker. */
export function pythonControlsQ(s: ControlInteropSuite): void {
  describe(`Python celery inspect/control → a q worker (${s.broker})`, () => {
    const Q = NODES.q;
    let urls: InteropEnv;
    let app: App;
    let worker: ManagedProcess;
    const inspect = async (...args: string[]) =>
      (await celeryJson(s.python, urls, ['inspect', ...args, '-d', Q])) as Record<string, unknown>;
    const control = async (...args: string[]) => (await celeryJson(s.python, urls, ['control', ...args, '-d', Q])) as unknown[];
    const waitActive = (id: string) =>
      vi.waitFor(async () => {
        const active = (await inspect('active'))[Q] as Record<string, unknown>[];
        expect(active.map((r) => r['id'])).toContain(id);
      }, { timeout: 10_000, interval: 200 });

    beforeAll(async () => {
      urls = s.urls();
      app = clientApp(urls, 'q-control-client');
      worker = await startQWorker(urls, ['-n', Q, ...s.qWorkerArgs]);
    }, 60_000);

    afterAll(async () => {
      await stopAll();
      await app?.close();
    });

    it('celery inspect ping -d <q node>: pong', async () => {
      expect(await inspect('ping')).toEqual({ [Q]: { ok: 'pong' } });
    });

    it("celery inspect stats: Celery's fields (pid, clock as a string, pool, broker, prefetch_count, rusage, total)", async () => {
      expect(await (await app.sendTask('tasks.add', [1, 2])).get({ timeout: 10 })).toBe(3);
      const stats = (await inspect('stats'))[Q] as Record<string, unknown>;
      expectStatsShape(stats, s.brokerInfo);
      expect(stats['total']).toMatchObject({ 'tasks.add': expect.any(Number) });
    });

    it('celery inspect registered: the interop tasks, sorted, no celery.* builtins', async () => {
      expect(await inspect('registered')).toEqual({ [Q]: INTEROP_TASKS });
    });

    it("celery inspect active_queues: the celery queue as kombu's Queue dict", async () => {
      const queues = (await inspect('active_queues'))[Q] as Record<string, unknown>[];
      expect(queues.map((queue) => queue['name'])).toEqual(['celery']);
      expect(Object.keys(queues[0] ?? {}).sort()).toEqual(KOMBU_QUEUE_KEYS);
      expect(queues[0]).toMatchObject({ exchange: { name: 'celery', type: 'direct' }, routing_key: 'celery', durable: true });
    });

    it('celery inspect active and query_task show a running task; reserved is a list', async () => {
      const result = await app.sendTask('tasks.sleep', [3]);
      let active: Record<string, unknown>[] = [];
      await vi.waitFor(async () => {
        active = (await inspect('active'))[Q] as Record<string, unknown>[];
        expect(active.map((r) => r['id'])).toContain(result.id);
      }, { timeout: 10_000, interval: 100 });
      expect(active.find((r) => r['id'] === result.id)).toMatchObject({
        ...requestInfo(result.id, 'tasks.sleep', [3], Q),
        time_start: expect.any(Number),
        acknowledged: true,
      });
      const queried = (await inspect('query_task', result.id))[Q] as Record<string, unknown>;
      expect(queried).toEqual({ [result.id]: ['active', expect.objectContaining(requestInfo(result.id, 'tasks.sleep', [3], Q))] });
      expect(await inspect('reserved')).toEqual({ [Q]: expect.any(Array) });
      expect(await inspect('query_task', 'no-such-task')).toEqual({ [Q]: {} });
      expect(await result.get({ timeout: 10 })).toBe(3);
    });

    it('celery inspect scheduled shows a countdown task; control revoke flags it, inspect revoked lists it, it ends REVOKED', async () => {
      const result = await app.sendTask('tasks.add', [1, 1], {}, { countdown: 4 });
      let scheduled: Record<string, unknown>[] = [];
      await vi.waitFor(async () => {
        scheduled = (await inspect('scheduled'))[Q] as Record<string, unknown>[];
        expect(scheduled.map((e) => (e['request'] as Record<string, unknown>)['id'])).toContain(result.id);
      }, { timeout: 10_000, interval: 100 });
      expect(scheduled.find((e) => (e['request'] as Record<string, unknown>)['id'] === result.id)).toMatchObject({
        eta: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$/),
        priority: expect.any(Number),
        request: requestInfo(result.id, 'tasks.add', [1, 1], Q),
      });
      expect(await control('revoke', result.id)).toEqual([{ [Q]: { ok: `tasks ${result.id} flagged as revoked` } }]);
      expect((await inspect('revoked'))[Q]).toContain(result.id);
      await expectRevoked(result);
    });

    it('celery control terminate SIGTERM <id> ends a running task: REVOKED', async () => {
      const result = await app.sendTask('tasks.sleep', [30]);
      await waitActive(result.id);
      expect(await control('terminate', 'SIGTERM', result.id)).toEqual([{ [Q]: { ok: `terminate: ${result.id}` } }]);
      await expectRevoked(result);
      expect(((await inspect('active'))[Q] as Record<string, unknown>[]).map((r) => r['id'])).not.toContain(result.id);
    });

    it("Celery's app.control.revoke(id, terminate=True) ends a running task: REVOKED", async () => {
      const result = await app.sendTask('tasks.sleep', [30]);
      await waitActive(result.id);
      const replies = await celeryControl(s.python, urls, {
        control: 'revoke',
        args: [result.id],
        kwargs: { terminate: true, reply: true, destination: [Q], timeout: 2 },
      });
      expect(replies).toEqual([{ [Q]: { ok: `terminate: ${result.id}` } }]);
      await expectRevoked(result);
    });

    it("celery control rate_limit tasks.add 10/m: Celery's reply; unknown tasks and bad rates are errors; 0 disables", async () => {
      expect(await control('rate_limit', 'tasks.add', '10/m')).toEqual([{ [Q]: { ok: 'new rate limit set successfully' } }]);
      expect(await control('rate_limit', 'tasks.nope', '1/s')).toEqual([{ [Q]: { error: 'unknown task' } }]);
      const bad = (await control('rate_limit', 'tasks.add', 'fast')) as Record<string, { error?: string }>[];
      expect(bad[0]?.[Q]?.error).toMatch(/^Invalid rate limit string: /);
      // the CLI sends the string "0", which Celery's `if not rate_limit` reads as set: Celery's own reply
      expect(await control('rate_limit', 'tasks.add', '0')).toEqual([{ [Q]: { ok: 'new rate limit set successfully' } }]);
      const off = await celeryControl(s.python, urls, {
        control: 'rate_limit',
        args: ['tasks.add', 0],
        kwargs: { reply: true, destination: [Q], timeout: 2 },
      });
      expect(off).toEqual([{ [Q]: { ok: 'rate limit disabled successfully' } }]);
    });

    it('after celery control rate_limit tasks.add 10/m, celery inspect registered shows "tasks.add [rate_limit=10/m]"', async () => {
      // Celery's rate_limit sets the task's `rate_limit` attribute, which `registered` lists (Flower shows it)
      expect(await control('rate_limit', 'tasks.add', '10/m')).toEqual([{ [Q]: { ok: 'new rate limit set successfully' } }]);
      expect((await inspect('registered'))[Q]).toContain('tasks.add [rate_limit=10/m]');
      await control('rate_limit', 'tasks.add', '0');
    });

    it('celery control add_consumer extraq: active_queues shows it, a task sent to extraq runs on q; cancel_consumer stops it', async () => {
      expect(await control('add_consumer', 'extraq')).toEqual([{ [Q]: { ok: 'add consumer extraq' } }]);
      await vi.waitFor(async () => {
        const queues = (await inspect('active_queues'))[Q] as Record<string, unknown>[];
        expect(queues.map((queue) => queue['name']).sort()).toEqual(['celery', 'extraq']);
      }, { timeout: 10_000, interval: 200 });
      const result = await app.sendTask('tasks.record', ['control:extraq', 1], {}, { queue: 'extraq' });
      expect(await result.get({ timeout: 10 })).toEqual({ value: 1, square: 1, by: 'q' });
      expect(await s.ledger().lrange('control:extraq', 0, -1)).toEqual(['q:1']);

      expect(await control('cancel_consumer', 'extraq')).toEqual([{ [Q]: { ok: 'no longer consuming from extraq' } }]);
      await vi.waitFor(async () => {
        const queues = (await inspect('active_queues'))[Q] as Record<string, unknown>[];
        expect(queues.map((queue) => queue['name'])).toEqual(['celery']);
      }, { timeout: 10_000, interval: 200 });
    });

    it('celery inspect conf: the changed settings, broker_url as Celery censors it (the password ********)', async () => {
      const conf = (await inspect('conf'))[Q] as Record<string, unknown>;
      expect(conf['broker_url']).toBe(urls.broker.replace(/:\/\/([^:@/]+):[^@/]+@/, '://$1:********@'));
      expect(JSON.stringify(conf)).not.toContain('guest:guest');
    });

    it('celery control add_consumer extraq2 extraex direct extrakey: the queue bound to that exchange; a task Python publishes there runs on q', async () => {
      expect(await control('add_consumer', 'extraq2', 'extraex', 'direct', 'extrakey')).toEqual([{ [Q]: { ok: 'add consumer extraq2' } }]);
      let queues: Record<string, unknown>[] = [];
      await vi.waitFor(async () => {
        queues = (await inspect('active_queues'))[Q] as Record<string, unknown>[];
        expect(queues.map((queue) => queue['name'])).toContain('extraq2');
      }, { timeout: 10_000, interval: 200 });
      expect(queues.find((queue) => queue['name'] === 'extraq2')).toMatchObject({ exchange: { name: 'extraex', type: 'direct' }, routing_key: 'extrakey' });
      const client = new PythonClient(s.python, urls);
      try {
        const sent = await client.request('send', { task: 'tasks.record', args: ['control:extraex', 2], options: { exchange: 'extraex', routing_key: 'extrakey' } });
        expect(sent.ok, JSON.stringify(sent)).toBe(true);
        const id = (sent as { task_id: string }).task_id;
        expect(await app.asyncResult(id).get({ timeout: 10 })).toEqual({ value: 2, square: 4, by: 'q' });
      } finally {
        await client.process.stop();
      }
      expect(await control('cancel_consumer', 'extraq2')).toEqual([{ [Q]: { ok: 'no longer consuming from extraq2' } }]);
    });

    it("celery control time_limit tasks.sleep 0.5 1: Celery's reply, and a 3 s tasks.sleep then fails TimeLimitExceeded", async () => {
      expect(await control('time_limit', 'tasks.sleep', '0.5', '1')).toEqual([{ [Q]: { ok: 'time limits set successfully' } }]);
      expect(await control('time_limit', 'tasks.nope', '1')).toEqual([{ [Q]: { error: 'unknown task' } }]);
      const result = await app.sendTask('tasks.sleep', [3]);
      await expect(result.get({ timeout: 10 })).rejects.toMatchObject({ excType: expect.stringMatching(/TimeLimitExceeded/) });
      // no limits again (Celery's CLI sends neither soft nor hard)
      expect(await control('time_limit', 'tasks.sleep')).toEqual([{ [Q]: { ok: 'time limits set successfully' } }]);
      expect(await (await app.sendTask('tasks.sleep', [1.5])).get({ timeout: 10 })).toBe(1.5);
    });

    it("celery control enable_events / disable_events / heartbeat: Celery's replies (a worker started without -E)", async () => {
      expect(await control('enable_events')).toEqual([{ [Q]: { ok: 'task events enabled' } }]);
      expect(await control('enable_events')).toEqual([{ [Q]: { ok: 'task events already enabled' } }]);
      expect(await control('disable_events')).toEqual([{ [Q]: { ok: 'task events disabled' } }]);
      expect(await control('disable_events')).toEqual([{ [Q]: { ok: 'task events already disabled' } }]);
      expect(await control('heartbeat')).toEqual([{ [Q]: null }]);
    });

    // only where the pool has children (an async pool has nothing to grow): not registered elsewhere
    if (s.qPoolResizes) it(
      "celery control pool_grow 1 / pool_shrink 1: Celery's replies; stats lists the children's pids and the prefetch follows",
      async () => {
        // as a Celery prefork -c 2 worker (checked against one): stats list the two children's pids, not the worker's,
        // and pool_grow/shrink move the prefetch count by n × the prefetch multiplier (4): 8 → 12 → 8
        const pool = async () => {
          const stats = (await inspect('stats'))[Q] as { pool: { processes: number[] }; prefetch_count: number };
          const pids = stats.pool.processes;
          return { processes: pids.length >= 2, workerPidListed: pids.includes(worker.child.pid ?? -1), prefetch: stats.prefetch_count };
        };
        expect(await pool()).toEqual({ processes: true, workerPidListed: false, prefetch: 8 });
        expect(await control('pool_grow', '1')).toEqual([{ [Q]: { ok: 'pool will grow' } }]);
        await vi.waitFor(async () => expect(await pool()).toEqual({ processes: true, workerPidListed: false, prefetch: 12 }), { timeout: 10_000, interval: 300 });
        expect(await control('pool_shrink', '1')).toEqual([{ [Q]: { ok: 'pool will shrink' } }]);
        await vi.waitFor(async () => expect(await pool()).toEqual({ processes: true, workerPidListed: false, prefetch: 8 }), { timeout: 10_000, interval: 300 });
      },
    );

    it("Celery's broadcast of a command q does not know gets Celery's error reply; the worker keeps answering", async () => {
      const replies = await celeryControl(s.python, urls, {
        control: 'broadcast',
        args: ['no_such_cmd'],
        kwargs: { reply: true, destination: [Q], timeout: 2 },
      });
      expect(replies).toEqual([{ [Q]: { error: "KeyError('no_such_cmd')" } }]);
      expect(await inspect('ping')).toEqual({ [Q]: { ok: 'pong' } });
    });

    it("Celery's pattern and matcher (glob, pcre) pick the q worker by name; a pattern that does not match gets no reply", async () => {
      const ping = (pattern: string, matcher: string) =>
        celeryControl(s.python, urls, { control: 'broadcast', args: ['ping'], kwargs: { reply: true, pattern, matcher, timeout: 1 } });
      expect(await ping('q-ctl@*', 'glob')).toEqual([{ [Q]: { ok: 'pong' } }]);
      expect(await ping('q-ctl@inter', 'pcre')).toEqual([{ [Q]: { ok: 'pong' } }]);
      expect(await ping('nobody-*', 'glob')).toEqual([]);
      expect(await ping('interop', 'pcre')).toEqual([]); // re.match: anchored at the start
    });

    it('celery inspect clock: the logical clock as a number; celery status: "->  <q node>: OK", "1 node online."', async () => {
      expect(await inspect('clock')).toEqual({ [Q]: { clock: expect.any(Number) } });
      const run = await celery(s.python, urls, ['status', '-d', Q]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain(`->  ${Q}: OK`);
      expect(run.stdout).toMatch(/1 node online\./);
    });

    it("Celery's app.control.inspect(destination=[q node]).stats() / .ping() / .query_task() read q's replies", async () => {
      const stats = (await celeryControl(s.python, urls, { inspect: 'stats', destination: [Q], timeout: 2 })) as Record<string, unknown>;
      expectStatsShape(stats[Q], s.brokerInfo);
      expect(await celeryControl(s.python, urls, { inspect: 'ping', destination: [Q], timeout: 2 })).toEqual({ [Q]: { ok: 'pong' } });
      expect(await celeryControl(s.python, urls, { inspect: 'query_task', args: ['no-such-task'], destination: [Q], timeout: 2 })).toEqual({ [Q]: {} });
    });

    it('celery control shutdown: the q worker process exits (0), no reply is sent', async () => {
      const run = await celery(s.python, urls, ['control', 'shutdown', '-d', Q]);
      // Celery's shutdown never replies: the CLI says so and exits 69 (EX_UNAVAILABLE)
      expect(run.code).toBe(69);
      expect(run.stderr).toMatch(/No nodes replied within time constraint/);
      const code = await Promise.race([worker.exited(), delay(15_000).then(() => 'still running')]);
      expect(code, worker.output()).toBe(0);
    });
  });
}
