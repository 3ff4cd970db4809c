/**
 * Remote control between q and Python Celery 5.2.6, whatever the broker: the cases every
 * `*-interop-control` suite runs. A suite calls {@link controlInteropCases} inside its `describe`; each group
 * below starts the processes it needs in its own `beforeAll` and stops them in its `afterAll`:
 *
 * - Python's `celery inspect` / `celery control` (the real CLI, `--json`) and Celery's `app.control`
 *   (`e2e/python/control_client.py`) against a q worker;
 * - `q inspect` / `q control` / `q status` (the real CLI, `-j`) and the test's own `app.control` against a
 *   Python worker;
 * - a mixed cluster, one q and one Python worker, that one broadcast reaches;
 * - five q workers that all answer one `q inspect ping` within the default 1 s.
 *
 * A Python command that cannot read a q reply raises and exits non-zero, so every `ok` below also means
 * "Python decoded the q worker's replies".
 */
import { spawn } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { createApp } from '@q/core';
import type { App, AsyncResult } from '@q/core';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startProcess, stopAll } from './managed-process.js';
import type { ManagedProcess } from './managed-process.js';
import { PYTHON_DIR, PythonClient, envOf, startPythonWorker } from './python-celery.js';
import type { InteropEnv } from './python-celery.js';
import { runQ } from './q-process.js';
import { INTEROP_APP, startQWorker } from './q-worker.js';

/** What the cases run against (read when each group starts, after the suite's `beforeAll`). */
export interface ControlInteropSuite {
  /** `Redis` or `RabbitMQ`, for the test names. */
  broker: string;
  /** Debian's `/usr/bin/python3` with Celery. */
  python: string;
  urls(): InteropEnv;
  /** The Redis db tasks record into (`tasks.record`). */
  ledger(): Redis;
  /** `stats().broker` of a worker here: `transport` and `port`. */
  brokerInfo: { transport: string; port: number };
  /** Pool arguments of the q worker Python controls (it must be able to terminate a running `tasks.sleep`). */
  qWorkerArgs: readonly string[];
  /** That pool has children that `pool_grow` / `pool_shrink` add and remove (then it must be `-c 2`, prefetch multiplier 4). */
  qPoolResizes: boolean;
}

/** Node names of the workers started here (fixed names: `-d` needs them). */
export const NODES = {
  q: 'q-ctl@interop',
  python: 'py-ctl@interop',
  mixedQ: 'q-mix@interop',
  mixedPython: 'py-mix@interop',
  minglingQ: 'q-mingle@interop',
  minglingPython: 'py-mingle@interop',
  five: ['q-five1@interop', 'q-five2@interop', 'q-five3@interop', 'q-five4@interop', 'q-five5@interop'],
} as const;

/** The tasks of both interop apps, as `registered` lists them (sorted, no `celery.*`). */
export const INTEROP_TASKS = [
  'tasks.add', 'tasks.echo', 'tasks.errback', 'tasks.fail', 'tasks.flaky', 'tasks.mul', 'tasks.record', 'tasks.sleep',
  'tasks.slow_record', 'tasks.xsum',
];

/** The keys of a kombu `Queue.as_dict(recurse=True)`, as `active_queues` replies. */
export const KOMBU_QUEUE_KEYS = [
  'alias', 'auto_delete', 'binding_arguments', 'bindings', 'consumer_arguments', 'durable', 'exchange', 'exclusive',
  'expires', 'max_length', 'max_length_bytes', 'max_priority', 'message_ttl', 'name', 'no_ack', 'no_declare',
  'queue_arguments', 'routing_key',
];

/** Output of a run to completion. */
export interface Run {
  code: number | string;
  stdout: string;
  stderr: string;
}

/** Runs `python args…` in `e2e/python` with the interop environment; kills it after `timeoutMs`. */
export function runPython(python: string, urls: InteropEnv, args: readonly string[], timeoutMs = 30_000): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(python, args, { cwd: PYTHON_DIR, env: { ...process.env, ...envOf(urls) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? signal ?? 'unknown', stdout, stderr });
    });
  });
}

/** The JSON document a command printed (its first line that starts one); fails the test with the output otherwise. */
export function jsonOf(run: Run, what: string): unknown {
  const line = run.stdout.split('\n').find((l) => l.startsWith('{') || l.startsWith('['));
  if (run.code !== 0 || line === undefined) {
    throw new Error(`${what} exited ${String(run.code)} without JSON\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`);
  }
  return JSON.parse(line) as unknown;
}

/** `python3 -m celery -A capapp <args…>` (Celery's own CLI). */
export function celery(python: string, urls: InteropEnv, args: readonly string[]): Promise<Run> {
  return runPython(python, urls, ['-m', 'celery', '-A', 'capapp', ...args]);
}

/** `celery <args…> --json`, parsed; Python must have read every reply (exit 0, no traceback). */
export async function celeryJson(python: string, urls: InteropEnv, args: readonly string[]): Promise<unknown> {
  const run = await celery(python, urls, [...args, '--json']);
  expect(run.stderr, `celery ${args.join(' ')}`).not.toMatch(/Traceback|Error:/);
  return jsonOf(run, `celery ${args.join(' ')} --json`);
}

/** One call of Celery's `app.control` through `control_client.py`: the value it returned. */
export async function celeryControl(python: string, urls: InteropEnv, request: Record<string, unknown>): Promise<unknown> {
  const run = await runPython(python, urls, ['control_client.py', JSON.stringify(request)]);
  const reply = jsonOf(run, `control_client.py ${JSON.stringify(request)}`) as { ok: boolean; value?: unknown; exc_type?: string; message?: string };
  if (!reply.ok) throw new Error(`Celery's app.control raised ${reply.exc_type ?? '?'}: ${reply.message ?? ''}\n${run.stderr}`);
  return reply.value;
}

/** `q -A e2e/apps/interop-app.ts -b <broker> --result-backend <backend> <args…>` (the real q CLI, from source). */
export function q(urls: InteropEnv, args: readonly string[]): Promise<Run> {
  return runQ(['-A', INTEROP_APP, '-b', urls.broker, '--result-backend', urls.backend, ...args], envOf(urls));
}

/** `q <args…> -j`, parsed (exit 0). */
export async function qJson(urls: InteropEnv, args: readonly string[]): Promise<unknown> {
  return jsonOf(await q(urls, [...args, '-j']), `q ${args.join(' ')} -j`);
}

/** Celery's `stats` reply, the fields every reader (Flower, `celery inspect stats`) relies on. */
export function expectStatsShape(stats: unknown, broker: { transport: string; port: number }): void {
  expect(stats).toMatchObject({
    pid: expect.any(Number),
    clock: expect.stringMatching(/^\d+$/),
    uptime: expect.any(Number),
    pool: { 'max-concurrency': expect.any(Number), processes: expect.any(Array) },
    broker: { hostname: '127.0.0.1', port: broker.port, transport: broker.transport, ssl: false },
    prefetch_count: expect.any(Number),
    rusage: { utime: expect.any(Number), stime: expect.any(Number), maxrss: expect.any(Number) },
    total: expect.any(Object),
  });
}

/** Celery's request info (`active`, `reserved`, `scheduled[].request`, `query_task`) of the task `id`. */
function requestInfo(id: string, name: string, args: unknown[], hostname: string): Record<string, unknown> {
  return {
    id,
    name,
    args,
    kwargs: {},
    type: name,
    hostname,
    delivery_info: expect.objectContaining({ routing_key: 'celery' }),
  };
}

/** `celery -A capapp worker` (solo) WITH mingle (the shared helper turns it off), ready when it says so. */
async function startMinglingPythonWorker(python: string, urls: InteropEnv, hostname: string): Promise<ManagedProcess> {
  const args = ['-m', 'celery', '-A', 'capapp', 'worker', '-l', 'info', '-n', hostname, '-P', 'solo', '--without-gossip', '--without-heartbeat'];
  const worker = startProcess(python, args, { cwd: PYTHON_DIR, env: envOf(urls) });
  await worker.waitFor(/ ready\./, 30_000);
  return worker;
}

/** Waits until `result` is REVOKED in the result backend. */
async function expectRevoked(result: AsyncResult, timeoutMs = 15_000): Promise<void> {
  await vi.waitFor(async () => expect(await result.state()).toBe('REVOKED'), { timeout: timeoutMs, interval: 200 });
}

/** A q client app on the suite's broker and backend (URLs: the adapters resolve by scheme). */
function clientApp(urls: InteropEnv, name: string): App {
  return createApp({
    name,
    broker: urls.broker,
    backend: urls.backend,
    ...(urls.maxPriority !== undefined ? { task: { queueMaxPriority: urls.maxPriority } } : {}),
  });
}

/** Registers the groups (call inside the suite's `describe`). */
export function controlInteropCases(s: ControlInteropSuite): void {
  pythonControlsQ(s);
  qControlsPython(s);
  mixedCluster(s);
  fiveQWorkers(s);
}

/** Python's `celery inspect` / `celery control` and Celery's `app.control` against a q worker. */
function pythonControlsQ(s: ControlInteropSuite): void {
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

/** `q inspect` / `q control` / `q status` and `app.control` against a Python worker. */
function qControlsPython(s: ControlInteropSuite): void {
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
      expect(await inspect('registered')).toEqual({ [P]: INTEROP_TASKS });
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

/** One q worker and one Python worker on the same broker: one broadcast reaches both. */
function mixedCluster(s: ControlInteropSuite): void {
  describe(`a mixed cluster: one q worker, one Python worker (${s.broker})`, () => {
    const both = [NODES.mixedPython, NODES.mixedQ].sort();
    let urls: InteropEnv;
    let app: App;

    beforeAll(async () => {
      urls = s.urls();
      app = clientApp(urls, 'q-control-client');
      await Promise.all([
        startQWorker(urls, ['-n', NODES.mixedQ, '-P', 'async', '-c', '4']),
        startPythonWorker(s.python, urls, { hostname: NODES.mixedPython }),
      ]);
    }, 60_000);

    afterAll(async () => {
      await stopAll();
      await app?.close();
    });

    it('one app.control.ping() gets both replies', async () => {
      const replies = await app.control.ping({ timeout: 1 });
      expect(replies.map((r) => Object.keys(r)[0]).sort()).toEqual(both);
      for (const reply of replies) expect(Object.values(reply)).toEqual([{ ok: 'pong' }]);
    });

    it("one inspect().stats() gets both, in Celery's shape", async () => {
      const stats = await app.control.inspect({ timeout: 1 }).stats();
      expect(Object.keys(stats ?? {}).sort()).toEqual(both);
      for (const node of both) expectStatsShape(stats?.[node], s.brokerInfo);
    });

    it("Python's celery inspect ping (no destination) gets both", async () => {
      const replies = (await celeryJson(s.python, urls, ['inspect', 'ping'])) as Record<string, unknown>;
      expect(Object.keys(replies).sort()).toEqual(both);
      expect(Object.values(replies)).toEqual([{ ok: 'pong' }, { ok: 'pong' }]);
    });

    it('q inspect ping (no destination) gets both', async () => {
      const replies = (await qJson(urls, ['inspect', 'ping'])) as Record<string, unknown>;
      expect(Object.keys(replies).sort()).toEqual(both);
    });

    it('one celery control rate_limit broadcast sets the rate on both; both report it', async () => {
      const replies = (await celeryJson(s.python, urls, ['control', 'rate_limit', 'tasks.mul', '5/s'])) as Record<string, unknown>[];
      expect(replies.map((r) => Object.keys(r)[0]).sort()).toEqual(both);
      for (const reply of replies) expect(Object.values(reply)).toEqual([{ ok: 'new rate limit set successfully' }]);
      const registered = await app.control.inspect({ timeout: 1 }).registered();
      expect(registered).toEqual(Object.fromEntries(both.map((node) => [node, expect.arrayContaining(['tasks.mul [rate_limit=5/s]'])])));
    });

    it("mingle, Python from q: a Python worker starting beside them reads q's hello reply and learns the id only q revoked", async () => {
      const id = 'mingle-revoked-on-q';
      expect(await app.control.revoke(id, { destination: [NODES.mixedQ], reply: true, timeout: 2 })).toEqual([
        { [NODES.mixedQ]: { ok: `tasks ${id} flagged as revoked` } },
      ]);
      const late = await startMinglingPythonWorker(s.python, urls, NODES.minglingPython);
      expect(late.output()).toMatch(/mingle: sync with 2 nodes/);
      expect(late.output()).toMatch(/mingle: sync complete/);
      expect(late.output()).not.toMatch(/mingle: sync with \S+ failed/);
      const revoked = (await celeryJson(s.python, urls, ['inspect', 'revoked', '-d', NODES.minglingPython])) as Record<string, string[]>;
      expect(revoked[NODES.minglingPython]).toContain(id);
      await late.stop();
    }, 60_000);

    it("mingle, q from Python: a q worker starting beside them reads Python's hello reply and learns the id only Python revoked", async () => {
      const id = 'mingle-revoked-on-python';
      expect(await app.control.revoke(id, { destination: [NODES.mixedPython], reply: true, timeout: 2 })).toEqual([
        { [NODES.mixedPython]: { ok: `tasks ${id} flagged as revoked` } },
      ]);
      const late = await startQWorker(urls, ['-n', NODES.minglingQ, '-P', 'async', '-c', '2']);
      expect(late.output()).toMatch(/mingle: sync with 2 nodes/);
      const revoked = (await celeryJson(s.python, urls, ['inspect', 'revoked', '-d', NODES.minglingQ])) as Record<string, string[]>;
      expect(revoked[NODES.minglingQ]).toContain(id);
      await late.stop();
    }, 60_000);
  });
}

/** Five q worker processes all answer one `q inspect ping` within the default timeout (1 s). */
function fiveQWorkers(s: ControlInteropSuite): void {
  describe(`five q workers (${s.broker})`, () => {
    let urls: InteropEnv;

    beforeAll(async () => {
      urls = s.urls();
      // started one after another: five TypeScript compilations at once on two cores would only be slower
      for (const node of NODES.five) await startQWorker(urls, ['-n', node, '-P', 'async', '-c', '1', '--without-mingle']);
    }, 120_000);

    afterAll(async () => {
      await stopAll();
    });

    it('q inspect ping (default timeout 1 s) lists all five; q status counts five', async () => {
      const run = await q(urls, ['inspect', 'ping']);
      expect(run.code, run.stderr).toBe(0);
      for (const node of NODES.five) expect(run.stdout).toContain(`->  ${node}: OK`);
      expect(run.stdout).toMatch(/\b5 nodes online\./);
      const status = await q(urls, ['status']);
      expect(status.stdout).toMatch(/\b5 nodes online\./);
    });

    it("Python's celery inspect ping (default timeout 1 s) gets all five", async () => {
      const replies = (await celeryJson(s.python, urls, ['inspect', 'ping'])) as Record<string, unknown>;
      expect(Object.keys(replies).sort()).toEqual([...NODES.five]);
    });
  });
}
