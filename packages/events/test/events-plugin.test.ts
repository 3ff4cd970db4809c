/**
 * `eventsPlugin()` on a worker and a client over the memory broker: worker-online / heartbeats / worker-offline, task
 * events with `-E` batched as `task.multi`, `enable_events` at run time, the `heartbeat` command, `task-sent`, and
 * gossip (peers, a worker that vanished, a namesake warned about).
 */
import { randomUUID } from 'node:crypto';
import { silentLogger } from '@q/core';
import type { App, AppOptions } from '@q/core';
import { createTestApp, recordingLogger, startTestWorker, waitFor } from '@q/testing';
import type { TestWorkerOptions } from '@q/testing';
import type { Worker } from '@q/worker';
import { afterEach, describe, expect, it } from 'vitest';
import { EventReceiver } from '../src/receiver/event-receiver.js';
import { eventsPlugin } from '../src/plugin/events-plugin.js';
import { gossipOf } from '../src/plugin/gossip-step.js';
import { dispatcherOf } from '../src/plugin/dispatcher-step.js';
import type { QEvent } from '../src/wire/event.js';
import type { EventsWorkerHost } from '../src/plugin/events-worker-host.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

function makeApp(ns: string, options: AppOptions = {}): App {
  const app = createTestApp({ name: 'events-test', plugins: [eventsPlugin()], ...options, namespace: ns });
  cleanups.push(() => app.close());
  return app;
}

async function startWorker(app: App, options: TestWorkerOptions = {}): Promise<Worker> {
  const worker = await startTestWorker(app, { hostname: 'w1@test', logger: silentLogger, mingle: true, gossip: true, heartbeat: true, ...options });
  cleanups.push(() => worker.stop({ graceful: false }));
  return worker;
}

/** A receiver of every event on `app`'s broker, keeping what it gets. */
async function listen(app: App, routingKey = '#'): Promise<QEvent[]> {
  const seen: QEvent[] = [];
  const receiver = new EventReceiver({ transport: () => app.getTransport(), routingKey, handlers: { '*': (e) => void seen.push(e) } });
  cleanups.push(() => receiver.stop());
  await receiver.start();
  return seen;
}

const until = (check: () => boolean, timeoutMs = 3000): Promise<boolean> => waitFor(check, (ok) => ok, { timeoutMs });

const types = (events: QEvent[], hostname?: string): string[] => events.filter((e) => hostname === undefined || e.hostname === hostname).map((e) => e.type);

describe('eventsPlugin on a worker', () => {
  it('sends worker-online, heartbeats every interval and worker-offline, with Celery fields', async () => {
    const ns = randomUUID();
    const monitor = makeApp(ns);
    const seen = await listen(monitor);
    const worker = await startWorker(makeApp(ns), { heartbeatInterval: 0.05 });
    await until(() => types(seen).filter((t) => t === 'worker-heartbeat').length >= 2);
    await worker.stop();
    await until(() => types(seen).includes('worker-offline'));
    const mine = types(seen, 'w1@test');
    expect(mine[0]).toBe('worker-online');
    expect(mine.at(-1)).toBe('worker-offline');
    const online = seen[0] as QEvent;
    expect(online).toMatchObject({ hostname: 'w1@test', pid: process.pid, freq: 0.05, active: 0, processed: 0, sw_ident: 'q', sw_sys: expect.any(String) });
    expect(online['loadavg']).toHaveLength(3);
    expect(typeof online.clock).toBe('number');
    expect(typeof online.timestamp).toBe('number');
    // Clocks go up event by event.
    const clocks = seen.filter((e) => e.hostname === 'w1@test').map((e) => e.clock);
    expect([...clocks].sort((a, b) => a - b)).toEqual(clocks);
  });

  it('sends no worker events with heartbeats off, and no task events without -E', async () => {
    const ns = randomUUID();
    const monitor = makeApp(ns);
    const seen = await listen(monitor);
    const app = makeApp(ns);
    app.task({ name: 'tasks.one' }, () => 1);
    const worker = await startWorker(app, { heartbeat: false, gossip: false });
    const r = await app.sendTask('tasks.one');
    expect(await r.get({ timeout: 3 })).toBe(1);
    await worker.stop();
    await new Promise((res) => setTimeout(res, 50));
    expect(seen).toEqual([]);
  });

  it('with -E sends each task event, the worker batching them into task.multi messages', async () => {
    const ns = randomUUID();
    const monitor = makeApp(ns);
    const seen = await listen(monitor, 'task.#');
    const app = makeApp(ns);
    app.task({ name: 'tasks.add', params: ['x', 'y'] }, (x: number, y: number) => x + y);
    const worker = await startWorker(app, { sendTaskEvents: true });
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => app.sendTask('tasks.add', [i, 1])));
    for (const r of results) await r.get({ timeout: 3 });
    await until(() => types(seen).filter((t) => t === 'task-succeeded').length === 30);
    const first = results[0]?.id;
    expect(types(seen.filter((e) => e.uuid === first))).toEqual(['task-received', 'task-started', 'task-succeeded']);
    expect(seen.find((e) => e.uuid === first && e.type === 'task-succeeded')).toMatchObject({ result: '1', hostname: 'w1@test' });
    expect(dispatcherOf(worker)).toBeDefined();
  });

  it('sends task events once enable_events turns them on, and a heartbeat on the heartbeat command', async () => {
    const ns = randomUUID();
    const monitor = makeApp(ns);
    const seen = await listen(monitor);
    const app = makeApp(ns);
    app.task({ name: 'tasks.one' }, () => 1);
    const worker = await startWorker(app, { heartbeatInterval: 60 });
    await until(() => types(seen).includes('worker-online'));
    await (await app.sendTask('tasks.one')).get({ timeout: 3 });
    await monitor.control.enableEvents({ reply: true, timeout: 1, destination: ['w1@test'] });
    expect(worker.taskEvents).toBe(true);
    const r = await app.sendTask('tasks.one');
    await r.get({ timeout: 3 });
    await until(() => seen.some((e) => e.uuid === r.id && e.type === 'task-succeeded'));
    expect(seen.filter((e) => e.type.startsWith('task-') && e.uuid !== r.id)).toEqual([]);
    const before = types(seen).filter((t) => t === 'worker-heartbeat').length;
    await monitor.control.broadcast('heartbeat', { reply: false });
    await until(() => types(seen).filter((t) => t === 'worker-heartbeat').length === before + 1);
  });
});

describe('eventsPlugin on a client', () => {
  it('sends task-sent after each publish with task.sendSentEvent', async () => {
    const ns = randomUUID();
    const monitor = makeApp(ns);
    const seen = await listen(monitor, 'task.#');
    const client = makeApp(ns, { task: { sendSentEvent: true } });
    const r = await client.sendTask('tasks.add', [2, 3], { z: 1 }, { countdown: 60 });
    await until(() => seen.length === 1);
    expect(seen[0]).toMatchObject({
      type: 'task-sent',
      uuid: r.id,
      name: 'tasks.add',
      args: '(2, 3)',
      kwargs: "{'z': 1}",
      root_id: r.id,
      parent_id: null,
      retries: 0,
      eta: expect.stringMatching(/^\d{4}-/),
      expires: null,
      queue: 'celery',
      exchange: '',
      routing_key: 'celery',
      hostname: `gen${process.pid}@${(await import('node:os')).hostname()}`,
    });
    const quiet = makeApp(ns);
    await quiet.sendTask('tasks.add', [1, 1]);
    await new Promise((res) => setTimeout(res, 50));
    expect(seen).toHaveLength(1);
  });
});

describe('gossip', () => {
  it('knows the other workers online, reports one whose heartbeats stopped, and warns about a namesake', async () => {
    const ns = randomUUID();
    const logger = recordingLogger();
    const a = await startWorker(makeApp(ns), { hostname: 'a@test', heartbeatInterval: 0.05, logger });
    const b = await startWorker(makeApp(ns), { hostname: 'b@test', heartbeatInterval: 0.05 });
    await until(() => (gossipOf(a)?.peers() ?? []).some((w) => w.hostname === 'b@test'));
    await until(() => (gossipOf(b)?.peers() ?? []).some((w) => w.hostname === 'a@test'));
    expect(gossipOf(a)?.peers().map((w) => w.hostname)).toEqual(['b@test']);
    expect(gossipOf(b)?.peers().map((w) => w.hostname)).toEqual(['a@test']);
    // A namesake: another process (another pid) sending as a@test.
    const dispatcher = dispatcherOf(b);
    expect(dispatcher).toBeDefined();
    const { EventDispatcher } = await import('../src/dispatcher/event-dispatcher.js');
    const { LamportClock } = await import('@q/core');
    const other = new EventDispatcher({ transport: () => b.app.getTransport(), hostname: 'a@test', clock: new LamportClock(), pid: process.pid + 1 });
    other.send('worker-heartbeat', { freq: 2, active: 0, processed: 0 });
    await other.close();
    await until(() => logger.lines.some((l) => l.level === 'warn' && /another worker \(pid \d+\) uses this node name a@test/.test(l.msg)));
    // A worker that goes silent without worker-offline (killed): reported once its heartbeats expire.
    const ghost = new EventDispatcher({ transport: () => b.app.getTransport(), hostname: 'c@test', clock: new LamportClock() });
    ghost.send('worker-heartbeat', { freq: 0.05, active: 0, processed: 0 });
    await ghost.close();
    await until(() => logger.lines.some((l) => l.level === 'info' && /missed heartbeat from c@test/.test(l.msg)));
    // b leaves (worker-offline): no longer a peer of a's, and not reported as lost.
    await b.stop();
    await until(() => (gossipOf(a)?.peers() ?? []).length === 0);
    expect(logger.lines.some((l) => /missed heartbeat from b@test/.test(l.msg))).toBe(false);
  });

  it('does not run with gossip off', async () => {
    const worker = await startWorker(makeApp(randomUUID()), { gossip: false });
    // @q/worker's Worker is what the event bootsteps take (checked by the type checker here).
    const host: EventsWorkerHost = worker;
    expect(gossipOf(host)).toBeUndefined();
    expect(worker.bootsteps.indexOf('events')).toBeLessThan(worker.bootsteps.indexOf('consumer'));
  });
});
