/**
 * The task events a worker sends through its event sink (`worker.useEventSink`; the `@q/events` dispatcher is one):
 * which, when, with which fields (spec §7.3), and none while task events are off.
 */
import { describe, expect, it } from 'vitest';
import { Reject } from '@q/core';
import type { EventSink, TaskContext } from '@q/core';
import { makeApp, metaOf, namespace, sleep, startWorker, until } from './helpers.js';
import type { Worker } from '../src/index.js';

interface Sent {
  type: string;
  fields: Record<string, unknown>;
}

/** A sink that keeps what it is sent, and counts heartbeat requests. */
function recordingSink(): EventSink & { sent: Sent[]; heartbeats: number } {
  const sink = {
    sent: [] as Sent[],
    heartbeats: 0,
    send(type: string, fields: Record<string, unknown>) {
      sink.sent.push({ type, fields });
    },
    heartbeat() {
      sink.heartbeats += 1;
    },
  };
  return sink;
}

const typesOf = (sink: { sent: Sent[] }, id: string): string[] => sink.sent.filter((e) => e.fields['uuid'] === id).map((e) => e.type);
const eventOf = (sink: { sent: Sent[] }, id: string, type: string): Record<string, unknown> | undefined =>
  sink.sent.find((e) => e.fields['uuid'] === id && e.type === type)?.fields;

async function eventsWorker(app: ReturnType<typeof makeApp>, sendTaskEvents = true): Promise<{ worker: Worker; sink: ReturnType<typeof recordingSink> }> {
  const worker = await startWorker(app, { sendTaskEvents });
  const sink = recordingSink();
  worker.useEventSink(sink);
  return { worker, sink };
}

describe('worker task events', () => {
  it('sends task-received, task-started and task-succeeded with Celery fields', async () => {
    const app = makeApp(namespace());
    app.task({ name: 'tasks.add', params: ['x', 'y'] }, (x: number, y: number) => x + y);
    const { sink } = await eventsWorker(app);
    const r = await app.sendTask('tasks.add', [2], { y: 3 });
    expect(await r.get({ timeout: 3 })).toBe(5);
    await until(() => typesOf(sink, r.id), (t) => t.length === 3);
    expect(typesOf(sink, r.id)).toEqual(['task-received', 'task-started', 'task-succeeded']);
    expect(eventOf(sink, r.id, 'task-received')).toEqual({
      uuid: r.id,
      name: 'tasks.add',
      args: '(2,)',
      kwargs: "{'y': 3}",
      root_id: r.id,
      parent_id: null,
      retries: 0,
      eta: null,
      expires: null,
    });
    const succeeded = eventOf(sink, r.id, 'task-succeeded');
    expect(succeeded?.['result']).toBe('5');
    expect(typeof succeeded?.['runtime']).toBe('number');
    expect(succeeded?.['runtime']).toBeGreaterThanOrEqual(0);
  });

  it('gives the result as Python repr, cut at 1024 characters', async () => {
    const app = makeApp(namespace(), { backend: null });
    app.task({ name: 'tasks.obj' }, () => ({ args: [1, 'two'], ok: true, none: null }));
    app.task({ name: 'tasks.big' }, () => 'x'.repeat(5000));
    const { sink } = await eventsWorker(app);
    const a = await app.sendTask('tasks.obj');
    const b = await app.sendTask('tasks.big');
    await until(() => sink.sent.filter((e) => e.type === 'task-succeeded').length, (n) => n === 2);
    expect(eventOf(sink, a.id, 'task-succeeded')?.['result']).toBe("{'args': [1, 'two'], 'ok': True, 'none': None}");
    expect(String(eventOf(sink, b.id, 'task-succeeded')?.['result']).length).toBeLessThan(1100);
  });

  it('sends task-failed with the exception repr and traceback', async () => {
    const app = makeApp(namespace());
    app.task({ name: 'tasks.fail' }, () => {
      throw new TypeError('bad thing');
    });
    const { sink } = await eventsWorker(app);
    const r = await app.sendTask('tasks.fail');
    await metaOf(app, r.id);
    await until(() => typesOf(sink, r.id), (t) => t.includes('task-failed'));
    expect(typesOf(sink, r.id)).toEqual(['task-received', 'task-started', 'task-failed']);
    const failed = eventOf(sink, r.id, 'task-failed');
    expect(failed?.['exception']).toBe("TypeError('bad thing')");
    expect(failed?.['traceback']).toMatch(/^Traceback \(most recent call last\):\n[\s\S]*TypeError: bad thing/);
  });

  it('sends task-retried, then the retry is received and runs again', async () => {
    const app = makeApp(namespace());
    app.task({ name: 'tasks.flaky', bind: true }, (ctx: TaskContext) => {
      if (ctx.retries === 0) ctx.retry({ countdown: 0.2, exc: new RangeError('not yet') });
      return 'done';
    });
    const { sink } = await eventsWorker(app);
    const r = await app.sendTask('tasks.flaky');
    expect(await r.get({ timeout: 3 })).toBe('done');
    await until(() => typesOf(sink, r.id), (t) => t.includes('task-succeeded'));
    // The retry's own message may be received (and held for its ETA) before the first run's task-retried goes out.
    const types = typesOf(sink, r.id);
    expect(types.slice(0, 2)).toEqual(['task-received', 'task-started']);
    expect([...types.slice(2)].sort()).toEqual(['task-received', 'task-retried', 'task-started', 'task-succeeded']);
    expect(types.indexOf('task-retried')).toBeLessThan(types.lastIndexOf('task-started'));
    expect(eventOf(sink, r.id, 'task-retried')?.['exception']).toBe("ValueError('not yet')");
    const received = sink.sent.filter((e) => e.fields['uuid'] === r.id && e.type === 'task-received');
    expect(received.map((e) => e.fields['retries'])).toEqual([0, 1]);
  });

  it("sends task-failed NotRegistered('name') for an unknown task", async () => {
    const app = makeApp(namespace());
    const { sink } = await eventsWorker(app);
    const r = await app.sendTask('tasks.nope');
    await until(() => typesOf(sink, r.id), (t) => t.length > 0);
    expect(sink.sent.filter((e) => e.fields['uuid'] === r.id)).toEqual([{ type: 'task-failed', fields: { uuid: r.id, exception: "NotRegistered('tasks.nope')" } }]);
  });

  it('sends task-revoked for a revoked task (expired: false) and an expired one (expired: true)', async () => {
    const app = makeApp(namespace());
    app.task({ name: 'tasks.noop' }, () => null);
    const { worker, sink } = await eventsWorker(app);
    worker.revoke('revoked-id');
    await app.sendTask('tasks.noop', [], {}, { taskId: 'revoked-id' });
    const expired = await app.sendTask('tasks.noop', [], {}, { expires: new Date(Date.now() - 1000) });
    await until(() => sink.sent.filter((e) => e.type === 'task-revoked').length, (n) => n === 2);
    expect(eventOf(sink, 'revoked-id', 'task-revoked')).toEqual({ uuid: 'revoked-id', terminated: false, signum: null, expired: false });
    expect(eventOf(sink, expired.id, 'task-revoked')).toEqual({ uuid: expired.id, terminated: false, signum: null, expired: true });
    expect(typesOf(sink, 'revoked-id')).toEqual(['task-revoked']);
  });

  it('sends task-revoked terminated with the signal number for a revoke with terminate', async () => {
    const app = makeApp(namespace());
    app.task({ name: 'tasks.wait', bind: true }, (ctx: TaskContext) => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error))));
    const { worker, sink } = await eventsWorker(app);
    const r = await app.sendTask('tasks.wait');
    await until(() => worker.stats().active, (n) => n === 1);
    worker.revoke([r.id], { terminate: true, signal: 'KILL' });
    await until(() => typesOf(sink, r.id), (t) => t.includes('task-revoked'));
    expect(eventOf(sink, r.id, 'task-revoked')).toEqual({ uuid: r.id, terminated: true, signum: 9, expired: false });
  });

  it('sends task-rejected with requeue for a Reject', async () => {
    const app = makeApp(namespace());
    app.task({ name: 'tasks.reject', acksLate: true }, () => {
      throw new Reject({ requeue: false, reason: 'nope' });
    });
    const { sink } = await eventsWorker(app);
    const r = await app.sendTask('tasks.reject');
    await until(() => typesOf(sink, r.id), (t) => t.includes('task-rejected'));
    expect(eventOf(sink, r.id, 'task-rejected')).toEqual({ uuid: r.id, requeue: false });
  });

  it('sends no task events while they are off, and sends them once enable_events turns them on', async () => {
    const app = makeApp(namespace());
    app.task({ name: 'tasks.noop' }, () => 1);
    const { worker, sink } = await eventsWorker(app, false);
    const quiet = await app.sendTask('tasks.noop');
    expect(await quiet.get({ timeout: 3 })).toBe(1);
    await sleep(20);
    expect(sink.sent).toEqual([]);
    worker.setTaskEvents(true);
    const loud = await app.sendTask('tasks.noop');
    await loud.get({ timeout: 3 });
    await until(() => typesOf(sink, loud.id), (t) => t.length === 3);
    expect(worker.taskEventSink).toBe(sink);
    worker.setTaskEvents(false);
    expect(worker.taskEventSink).toBeNull();
    expect(worker.eventSink).toBe(sink);
  });

  it('asks the sink for a heartbeat on the heartbeat remote-control command', async () => {
    const app = makeApp(namespace());
    const { sink } = await eventsWorker(app, false);
    await app.control.broadcast('heartbeat', { reply: false });
    await until(() => sink.heartbeats, (n) => n === 1);
  });
});
