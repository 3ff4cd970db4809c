/**
 * Celery events between q and Python Celery 5.2.6, whatever the broker: the cases every `*-interop-events` suite
 * runs. A suite calls {@link eventsInteropCases} inside its `describe`; each group starts the processes it needs in
 * its own `beforeAll` and stops them in its `afterAll`:
 *
 * - Python watches a q worker (`q worker -E`, the real CLI): Celery's `EventReceiver` and `State`
 *   (`e2e/python/events_capture.py`) read its worker and task events, `celery events --dump` prints them, a q
 *   client's `task-sent` reaches them, and the worker's warm shutdown sends `worker-offline`;
 * - q watches a Python worker (`celery worker -E`): q's `EventReceiver` + `ClusterState` in the test process, and
 *   an in-process q worker whose gossip lists the Python worker (and the Python worker's gossip greets it);
 * - Python's `celery control enable_events` / `heartbeat` turn a q worker's task events on and ask it for a
 *   heartbeat.
 */
import { createApp } from '@q/core';
import type { App } from '@q/core';
import { silentLogger } from '@q/core/adapter';
import { ClusterState, EventReceiver, eventsPlugin, gossipOf } from '@q/events';
import type { QEvent } from '@q/events';
import { createWorker } from '@q/worker';
import type { Worker } from '@q/worker';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { celery, celeryJson, clientApp } from './control-support.js';
import { startProcess, stopAll } from './managed-process.js';
import type { ManagedProcess } from './managed-process.js';
import { PYTHON_DIR, envOf } from './python-celery.js';
import type { InteropEnv } from './python-celery.js';
import { startQWorker } from './q-worker.js';
import { onJsonLines } from './json-lines.js';

/** What the cases run against (read when each group starts, after the suite's `beforeAll`). */
export interface EventsInteropSuite {
  /** `Redis` or `RabbitMQ`, for the test names. */
  broker: string;
  /** Debian's `/usr/bin/python3` with Celery. */
  python: string;
  urls(): InteropEnv;
  /**
   * Redis only: the bodies published on `task.multi` so far (the suite subscribes to the channel itself), to check that
   * both workers batch task events as JSON arrays. Unset: not checked (RabbitMQ).
   */
  taskMultiBodies?: () => readonly unknown[];
}

/** Node names and queues of the workers started here (each worker consumes a queue of its own). */
const NODES = {
  q: 'q-ev@interop',
  qControlled: 'q-ev-ctl@interop',
  qGossip: 'q-ev-gossip@interop',
  python: 'py-ev@interop',
} as const;
const QUEUES = { q: 'q-ev', qControlled: 'q-ev-ctl', qGossip: 'q-ev-gossip', python: 'py-ev' } as const;

/** An event as Celery's receiver handed it on (clocked, localized, `local_received` added). */
export type PyEvent = Record<string, unknown> & { type: string; hostname: string };

/** Celery's `State`, as `events_capture.py` prints it: workers (fields, `alive`, `status`), tasks (`as_dict()`). */
export interface PyState {
  workers: Record<string, Record<string, unknown>>;
  tasks: Record<string, Record<string, unknown>>;
}

/** `events_capture.py`: Celery's `app.events.Receiver` feeding `celery.events.state.State`, in a process of its own. */
export class PythonMonitor {
  readonly process: ManagedProcess;
  /** Every event received so far, in order. */
  readonly events: PyEvent[] = [];
  readonly #stateWaiters: ((state: PyState) => void)[] = [];

  private constructor(python: string, urls: InteropEnv, wakeup: boolean) {
    this.process = startProcess(python, ['events_capture.py', ...(wakeup ? [] : ['--no-wakeup'])], { cwd: PYTHON_DIR, env: envOf(urls) });
    onJsonLines(this.process.child.stdout, (line) => {
      const doc = line as { event?: PyEvent; state?: PyState };
      if (doc.event) this.events.push(doc.event);
      if (doc.state) this.#stateWaiters.shift()?.(doc.state);
    });
  }

  /** Starts the monitor; resolves once its queue is consumed. `wakeup: false` skips Celery's `heartbeat` broadcast. */
  static async start(python: string, urls: InteropEnv, options: { wakeup?: boolean } = {}): Promise<PythonMonitor> {
    const monitor = new PythonMonitor(python, urls, options.wakeup ?? true);
    await monitor.process.waitFor(/\{"ready": true\}/, 20_000);
    return monitor;
  }

  /** The events of `hostname` (of type `type` when given). */
  of(hostname: string, type?: string): PyEvent[] {
    return this.events.filter((e) => e.hostname === hostname && (type === undefined || e.type === type));
  }

  /** The events about task `uuid`, in order of receipt. */
  ofTask(uuid: string): PyEvent[] {
    return this.events.filter((e) => e['uuid'] === uuid);
  }

  /** Resolves with the first event `match` accepts (polling until `timeoutMs`). */
  async waitFor(match: (e: PyEvent) => boolean, what: string, timeoutMs = 15_000): Promise<PyEvent> {
    return vi.waitFor(
      () => {
        const found = this.events.find(match);
        if (!found) throw new Error(`Python's receiver saw no ${what}; it saw:\n${this.events.map((e) => `${e.hostname} ${e.type}`).join('\n')}`);
        return found;
      },
      { timeout: timeoutMs, interval: 50 },
    );
  }

  /** Celery's `State` now. */
  state(): Promise<PyState> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`events_capture.py printed no state\n${this.process.output()}`)), 10_000);
      this.#stateWaiters.push((state) => {
        clearTimeout(timer);
        resolve(state);
      });
      this.process.child.stdin?.write('state\n');
    });
  }

  /** Ends the capture (the script prints its final state, unread) and the process. */
  async close(): Promise<void> {
    this.process.child.stdin?.end('quit\n');
    const exited = await Promise.race([this.process.exited(), new Promise((r) => setTimeout(r, 5000, 'timeout'))]);
    if (exited === 'timeout') await this.process.stop();
  }
}

/** On Redis: the events of task `uuid` went out in `task.multi` messages whose body is an array (Celery's batches). */
async function expectBatched(s: EventsInteropSuite, uuid: string): Promise<void> {
  const bodies = s.taskMultiBodies;
  if (bodies === undefined) return;
  await vi.waitFor(() => {
    const batches = bodies().filter((b) => Array.isArray(b) && b.some((e: Record<string, unknown>) => e['uuid'] === uuid));
    expect(batches.length, JSON.stringify(bodies())).toBeGreaterThan(0);
  }, { timeout: 5000, interval: 50 });
  expect(bodies().filter((b) => !Array.isArray(b)), 'task.multi bodies that are not arrays').toEqual([]);
}

/** The fields every `worker-*` event of a q worker carries, as Celery's are (`hostname`, `pid`, `clock`, `freq`, …). */
function expectQWorkerEvent(event: PyEvent, hostname: string, pid: number | undefined, freq: number): void {
  expect(event).toMatchObject({
    hostname,
    pid,
    clock: expect.any(Number),
    freq,
    active: expect.any(Number),
    processed: expect.any(Number),
    sw_ident: 'q',
    sw_ver: expect.any(String),
    sw_sys: expect.any(String),
    timestamp: expect.any(Number),
    utcoffset: expect.any(Number),
    local_received: expect.any(Number),
  });
  expect(Number.isInteger(event['clock'])).toBe(true);
  expect(Number.isInteger(event['utcoffset'])).toBe(true);
  expect(event['loadavg']).toEqual([expect.any(Number), expect.any(Number), expect.any(Number)]);
  // Celery's State warns past 16 s of drift between the sender's (localized) timestamp and the receipt
  expect(Math.abs((event['local_received'] as number) - (event['timestamp'] as number))).toBeLessThan(16);
}

/** Python's `Receiver`/`State` and `celery events --dump` watch a `q worker -E`; a q client's `task-sent`. */
function pythonWatchesQ(s: EventsInteropSuite): void {
  describe(`Python's event receiver and State watch a q worker -E (${s.broker})`, () => {
    const Q = NODES.q;
    let urls: InteropEnv;
    let app: App;
    let monitor: PythonMonitor;
    let worker: ManagedProcess;
    const ids: { ok?: string; echo?: string; fail?: string } = {};

    beforeAll(async () => {
      urls = s.urls();
      app = clientApp(urls, 'q-events-client');
      monitor = await PythonMonitor.start(s.python, urls);
      worker = await startQWorker(urls, ['-n', Q, '-Q', QUEUES.q, '-E', '--heartbeat-interval', '0.5']);
    }, 60_000);

    afterAll(async () => {
      await monitor?.close();
      await stopAll();
      await app?.close();
    });

    it("worker-online, then worker-heartbeat every 0.5 s, with Celery's fields (sw_ident 'q')", async () => {
      const online = await monitor.waitFor((e) => e.hostname === Q && e.type === 'worker-online', 'worker-online');
      expectQWorkerEvent(online, Q, worker.child.pid, 0.5);
      await monitor.waitFor(() => monitor.of(Q, 'worker-heartbeat').length >= 2, 'two worker-heartbeats');
      const [first, second] = monitor.of(Q, 'worker-heartbeat');
      expectQWorkerEvent(first as PyEvent, Q, worker.child.pid, 0.5);
      expect(second?.['clock']).toBeGreaterThan(first?.['clock'] as number);
      expect(second?.['timestamp']).toBeGreaterThan(first?.['timestamp'] as number);
    });

    it('a task that succeeds: task-received (args/kwargs reprs), task-started, task-succeeded (result repr, runtime); Redis: in task.multi arrays', async () => {
      const add = await app.sendTask('tasks.add', [2, 3], {}, { queue: QUEUES.q });
      const echo = await app.sendTask('tasks.echo', [1, 'two'], { k: 'v' }, { queue: QUEUES.q });
      ids.ok = add.id;
      ids.echo = echo.id;
      expect(await add.get({ timeout: 10 })).toBe(5);
      await echo.get({ timeout: 10 });
      await monitor.waitFor((e) => e['uuid'] === echo.id && e.type === 'task-succeeded', 'task-succeeded of tasks.echo');
      await monitor.waitFor((e) => e['uuid'] === add.id && e.type === 'task-succeeded', 'task-succeeded of tasks.add');
      const events = monitor.ofTask(add.id);
      expect(events.map((e) => e.type)).toEqual(['task-received', 'task-started', 'task-succeeded']);
      const [received, started, succeeded] = events;
      expect(received).toMatchObject({
        hostname: Q, uuid: add.id, name: 'tasks.add', args: '(2, 3)', kwargs: '{}', root_id: add.id, parent_id: null,
        retries: 0, eta: null, expires: null, pid: worker.child.pid, clock: expect.any(Number), timestamp: expect.any(Number), utcoffset: expect.any(Number),
      });
      expect(started).toMatchObject({ hostname: Q, uuid: add.id, pid: worker.child.pid });
      expect(succeeded).toMatchObject({ hostname: Q, uuid: add.id, result: '5', runtime: expect.any(Number) });
      expect(succeeded?.['runtime']).toBeGreaterThanOrEqual(0);
      // the clock moves on with every event of the worker
      expect((started?.['clock'] as number) > (received?.['clock'] as number)).toBe(true);
      expect((succeeded?.['clock'] as number) > (started?.['clock'] as number)).toBe(true);
      const echoed = monitor.ofTask(echo.id);
      expect(echoed[0]).toMatchObject({ type: 'task-received', args: "(1, 'two')", kwargs: "{'k': 'v'}" });
      expect(echoed.at(-1)).toMatchObject({ type: 'task-succeeded', result: "{'args': [1, 'two'], 'kwargs': {'k': 'v'}}" });
      await expectBatched(s, add.id);
    });

    it("a task that fails: task-failed with the exception as Python prints it (ValueError('bad thing')) and a traceback", async () => {
      const failing = await app.sendTask('tasks.fail', ['bad thing'], {}, { queue: QUEUES.q });
      ids.fail = failing.id;
      await expect(failing.get({ timeout: 10 })).rejects.toThrow(/bad thing/);
      const failed = await monitor.waitFor((e) => e['uuid'] === failing.id && e.type === 'task-failed', 'task-failed');
      expect(monitor.ofTask(failing.id).map((e) => e.type)).toEqual(['task-received', 'task-started', 'task-failed']);
      expect(failed).toMatchObject({ hostname: Q, uuid: failing.id, exception: "ValueError('bad thing')", traceback: expect.any(String) });
      expect(failed['traceback']).toMatch(/bad thing/);
    });

    it("Celery's State: the q worker alive (sw_ident 'q', processed counted), the tasks SUCCESS and FAILURE", async () => {
      // the next heartbeat carries `processed` after the three tasks
      const after = monitor.events.length;
      await monitor.waitFor((e) => monitor.events.indexOf(e) >= after && e.hostname === Q && e.type === 'worker-heartbeat', 'a heartbeat after the tasks');
      const state = await monitor.state();
      expect(state.workers[Q]).toMatchObject({ hostname: Q, alive: true, status: 'ONLINE', sw_ident: 'q', freq: 0.5, pid: worker.child.pid, active: 0 });
      expect(state.workers[Q]?.['processed']).toBeGreaterThanOrEqual(3);
      expect(state.tasks[ids.ok ?? '']).toMatchObject({
        state: 'SUCCESS', name: 'tasks.add', args: '(2, 3)', kwargs: '{}', result: '5', worker: Q, runtime: expect.any(Number),
        received: expect.any(Number), started: expect.any(Number), succeeded: expect.any(Number), root_id: ids.ok,
      });
      expect(state.tasks[ids.fail ?? '']).toMatchObject({
        state: 'FAILURE', name: 'tasks.fail', exception: "ValueError('bad thing')", worker: Q, failed: expect.any(Number), traceback: expect.any(String),
      });
    });

    it('celery events --dump (the real CLI) prints the q worker\'s heartbeats and task events', async () => {
      const dump = startProcess(s.python, ['-m', 'celery', '-A', 'capapp', 'events', '--dump'], { cwd: PYTHON_DIR, env: envOf(urls) });
      try {
        const node = Q.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        await dump.waitFor(new RegExp(`^${node} \\[[^\\]]+\\] heartbeat: .*sw_ident=q`, 'm'), 15_000);
        const mul = await app.sendTask('tasks.mul', [4, 4], {}, { queue: QUEUES.q });
        expect(await mul.get({ timeout: 10 })).toBe(16);
        await dump.waitFor(new RegExp(`^${node} \\[[^\\]]+\\] task succeeded: tasks\\.mul\\(${mul.id}\\) args=\\(4, 4\\) kwargs=\\{\\} .*result=16`, 'm'), 15_000);
        expect(dump.output()).toMatch(new RegExp(`^${node} \\[[^\\]]+\\] task received: tasks\\.mul\\(${mul.id}\\) args=\\(4, 4\\) kwargs=\\{\\}`, 'm'));
        expect(dump.output()).toMatch(new RegExp(`^${node} \\[[^\\]]+\\] task started: tasks\\.mul\\(${mul.id}\\)`, 'm'));
        expect(dump.output()).not.toMatch(/Traceback/);
      } finally {
        await dump.stop();
      }
    });

    it('a q client with task.sendSentEvent: task-sent with uuid, name, args, kwargs, queue, exchange, routing_key, root_id; State PENDING', async () => {
      const sender = createApp({ name: 'q-events-sender', broker: urls.broker, backend: urls.backend, task: { sendSentEvent: true }, plugins: [eventsPlugin()] });
      try {
        // the default queue, which no worker here consumes: the task stays PENDING
        const result = await sender.sendTask('tasks.echo', [1, 'two'], { k: 'v' });
        const sent = await monitor.waitFor((e) => e['uuid'] === result.id && e.type === 'task-sent', 'task-sent');
        // as captured from Celery 5.2.6 (vectors/event-task-sent.json)
        expect(sent).toMatchObject({
          hostname: expect.stringMatching(/^gen\d+@/), uuid: result.id, root_id: result.id, parent_id: null, name: 'tasks.echo',
          args: "(1, 'two')", kwargs: "{'k': 'v'}", retries: 0, eta: null, expires: null, queue: 'celery', exchange: '', routing_key: 'celery',
          pid: process.pid, timestamp: expect.any(Number), utcoffset: expect.any(Number),
        });
        const state = await monitor.state();
        expect(state.tasks[result.id]).toMatchObject({
          state: 'PENDING', name: 'tasks.echo', args: "(1, 'two')", kwargs: "{'k': 'v'}", sent: expect.any(Number), exchange: '', routing_key: 'celery',
        });
      } finally {
        await sender.close();
      }
    });

    it('warm shutdown of the q worker: worker-offline; State has it offline', async () => {
      await worker.stop(15_000);
      const offline = await monitor.waitFor((e) => e.hostname === Q && e.type === 'worker-offline', 'worker-offline');
      expectQWorkerEvent(offline, Q, worker.child.pid, 0.5);
      const state = await monitor.state();
      expect(state.workers[Q]).toMatchObject({ alive: false, status: 'OFFLINE', heartbeats: [] });
    });
  });
}

/** q's `EventReceiver` + `ClusterState` watch a Python `celery worker -E`; an in-process q worker gossips with it. */
function qWatchesPython(s: EventsInteropSuite): void {
  describe(`q's EventReceiver and ClusterState watch a Python celery worker -E; gossip (${s.broker})`, () => {
    const PY = NODES.python;
    let urls: InteropEnv;
    let app: App;
    let workerApp: App;
    let qWorker: Worker;
    let pyWorker: ManagedProcess;
    let receiver: EventReceiver;
    const state = new ClusterState();
    const seen: QEvent[] = [];
    const waitSeen = (match: (e: QEvent) => boolean, what: string) =>
      vi.waitFor(
        () => {
          const found = seen.find(match);
          if (!found) throw new Error(`q's receiver saw no ${what}; it saw:\n${seen.map((e) => `${e.hostname} ${e.type}`).join('\n')}`);
          return found;
        },
        { timeout: 15_000, interval: 50 },
      );

    beforeAll(async () => {
      urls = s.urls();
      app = clientApp(urls, 'q-events-monitor');
      const { conf } = app;
      receiver = new EventReceiver({
        transport: () => app.getTransport(),
        handlers: {
          '*': (e) => {
            seen.push(e);
            state.event(e);
          },
        },
        topology: { eventExchange: conf.events.exchange, eventQueuePrefix: conf.events.queuePrefix, eventQueueExpires: conf.events.queueExpires, eventQueueTtl: conf.events.queueTtl },
      });
      await receiver.start();
      // gossip and heartbeats on (the shared helper turns them off), debug logs for "joined the party"; prefork, as
      // Celery is usually run (its solo pool sends task-failed with exception "ExceptionWithTraceback()")
      pyWorker = startProcess(s.python, ['-m', 'celery', '-A', 'capapp', 'worker', '-l', 'debug', '-n', PY, '-P', 'prefork', '-c', '1', '-Q', QUEUES.python,
        '-E', '--without-mingle', '--heartbeat-interval', '1'], { cwd: PYTHON_DIR, env: envOf(urls) });
      await pyWorker.waitFor(/ ready\./, 30_000);
      workerApp = createApp({ name: 'q-events-gossip', broker: urls.broker, backend: urls.backend, plugins: [eventsPlugin()] });
      qWorker = createWorker(workerApp, { hostname: NODES.qGossip, queues: [QUEUES.qGossip], heartbeatInterval: 0.5, logger: silentLogger });
      await qWorker.start();
    }, 60_000);

    afterAll(async () => {
      await qWorker?.stop({ graceful: true });
      await receiver?.stop();
      await stopAll();
      await workerApp?.close();
      await app?.close();
    });

    it("worker-online and worker-heartbeat of the Python worker: alive, sw_ident 'py-celery', freq 1", async () => {
      const online = await waitSeen((e) => e.hostname === PY && e.type === 'worker-online', 'worker-online');
      expect(online).toMatchObject({ sw_ident: 'py-celery', sw_ver: '5.2.6', freq: 1, pid: pyWorker.child.pid, local_received: expect.any(Number) });
      await waitSeen((e) => e.hostname === PY && e.type === 'worker-heartbeat', 'worker-heartbeat');
      const info = state.workers.get(PY);
      expect(info?.alive).toBe(true);
      expect(info).toMatchObject({ swIdent: 'py-celery', swVer: '5.2.6', freq: 1, pid: pyWorker.child.pid, active: 0 });
      expect(info?.loadavg).toHaveLength(3);
    });

    it('a task run by the Python worker: received, started, succeeded (Redis: in task.multi arrays); ClusterState SUCCESS with result and runtime', async () => {
      const add = await app.sendTask('tasks.add', [2, 3], {}, { queue: QUEUES.python });
      expect(await add.get({ timeout: 10 })).toBe(5);
      await waitSeen((e) => e['uuid'] === add.id && e.type === 'task-succeeded', 'task-succeeded');
      expect(seen.filter((e) => e['uuid'] === add.id).map((e) => e.type)).toEqual(['task-received', 'task-started', 'task-succeeded']);
      const task = state.tasks.get(add.id);
      expect(task).toMatchObject({ state: 'SUCCESS', name: 'tasks.add', args: '(2, 3)', kwargs: '{}', result: '5', worker: PY, rootId: add.id });
      expect(task?.runtime).toEqual(expect.any(Number));
      expect(task?.received).toEqual(expect.any(Number));
      expect(task?.started).toEqual(expect.any(Number));
      expect(task?.succeeded).toEqual(expect.any(Number));
      await expectBatched(s, add.id);
      const failing = await app.sendTask('tasks.fail', ['py broke'], {}, { queue: QUEUES.python });
      await expect(failing.get({ timeout: 10 })).rejects.toThrow(/py broke/);
      await waitSeen((e) => e['uuid'] === failing.id && e.type === 'task-failed', 'task-failed');
      expect(state.tasks.get(failing.id)).toMatchObject({ state: 'FAILURE', exception: "ValueError('py broke')", worker: PY });
      expect(state.tasks.get(failing.id)?.traceback).toMatch(/ValueError: py broke/);
    });

    it("gossip: the in-process q worker's gossipOf().peers() lists the Python worker; Python's gossip logs the q worker joining", async () => {
      await vi.waitFor(() => expect(gossipOf(qWorker)?.peers().map((w) => w.hostname)).toContain(PY), { timeout: 15_000, interval: 100 });
      expect(gossipOf(qWorker)?.peers().find((w) => w.hostname === PY)?.swIdent).toBe('py-celery');
      await pyWorker.waitFor(new RegExp(`${NODES.qGossip.replace('.', '\\.')} joined the party`), 15_000);
      // and q's own receiver sees the q worker too
      await waitSeen((e) => e.hostname === NODES.qGossip && e.type === 'worker-heartbeat', "the q worker's heartbeat");
      expect(state.workers.get(NODES.qGossip)?.swIdent).toBe('q');
    });
  });
}

/** Python's `celery control enable_events` / `heartbeat` against a q worker started without `-E`. */
function pythonControlsQEvents(s: EventsInteropSuite): void {
  describe(`Python's celery control enable_events / heartbeat → a q worker without -E (${s.broker})`, () => {
    const Q = NODES.qControlled;
    let urls: InteropEnv;
    let app: App;
    let monitor: PythonMonitor;
    /** `celery control heartbeat -d Q`, resolved once the heartbeat it asked for reached the monitor. */
    const requestHeartbeat = async () => {
      const before = monitor.of(Q, 'worker-heartbeat').length;
      const run = await celery(s.python, urls, ['control', 'heartbeat', '-d', Q]);
      expect(run.stderr, 'celery control heartbeat').not.toMatch(/Traceback/);
      await monitor.waitFor(() => monitor.of(Q, 'worker-heartbeat').length > before, 'the heartbeat asked for');
    };

    beforeAll(async () => {
      urls = s.urls();
      app = clientApp(urls, 'q-events-control-client');
      // no wakeup broadcast (it would ask for a heartbeat too); heartbeats every 60 s: any heartbeat seen was asked for
      monitor = await PythonMonitor.start(s.python, urls, { wakeup: false });
      await startQWorker(urls, ['-n', Q, '-Q', QUEUES.qControlled, '--heartbeat-interval', '60']);
      await monitor.waitFor((e) => e.hostname === Q && e.type === 'worker-online', 'worker-online');
    }, 60_000);

    afterAll(async () => {
      await monitor?.close();
      await stopAll();
      await app?.close();
    });

    it('celery control heartbeat: the q worker sends a worker-heartbeat at once', async () => {
      expect(monitor.of(Q, 'worker-heartbeat')).toHaveLength(0);
      await requestHeartbeat();
      expect(monitor.of(Q, 'worker-heartbeat')[0]).toMatchObject({ hostname: Q, sw_ident: 'q', clock: expect.any(Number), timestamp: expect.any(Number) });
    });

    it('without -E no task events; celery control enable_events turns them on (Celery\'s reply), disable_events off', async () => {
      const quiet = await app.sendTask('tasks.add', [1, 1], {}, { queue: QUEUES.qControlled });
      expect(await quiet.get({ timeout: 10 })).toBe(2);
      await requestHeartbeat(); // sent after any task event of `quiet`
      expect(monitor.ofTask(quiet.id)).toEqual([]);

      expect(await celeryJson(s.python, urls, ['control', 'enable_events', '-d', Q])).toEqual([{ [Q]: { ok: 'task events enabled' } }]);
      const loud = await app.sendTask('tasks.add', [2, 2], {}, { queue: QUEUES.qControlled });
      expect(await loud.get({ timeout: 10 })).toBe(4);
      await monitor.waitFor((e) => e['uuid'] === loud.id && e.type === 'task-succeeded', 'task-succeeded after enable_events');
      expect(monitor.ofTask(loud.id).map((e) => e.type)).toEqual(['task-received', 'task-started', 'task-succeeded']);
      expect(monitor.ofTask(loud.id).at(-1)).toMatchObject({ hostname: Q, result: '4' });

      expect(await celeryJson(s.python, urls, ['control', 'disable_events', '-d', Q])).toEqual([{ [Q]: { ok: 'task events disabled' } }]);
      const quietAgain = await app.sendTask('tasks.add', [3, 3], {}, { queue: QUEUES.qControlled });
      expect(await quietAgain.get({ timeout: 10 })).toBe(6);
      await requestHeartbeat();
      expect(monitor.ofTask(quietAgain.id)).toEqual([]);
    });
  });
}

/** Registers the groups (call inside the suite's `describe`). */
export function eventsInteropCases(s: EventsInteropSuite): void {
  pythonWatchesQ(s);
  qWatchesPython(s);
  pythonControlsQEvents(s);
}
