/**
 * q client → Python Celery 5.2.6 worker, over RabbitMQ (vhost `q-test-e2e-amqp-pyworker`) with `rpc://`
 * results: the Python worker replies to the q client's own reply queue (its oid), declared by q with exactly
 * the arguments Python would use. The q client uses URLs here, so the adapters resolve by scheme.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { createApp, RemoteError } from '@q/core';
import type { App, WireSignature } from '@q/core';
import { listQueues, pythonCelery } from '@q/test-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amqpInterop } from './support/amqp-env.js';
import type { AmqpInterop } from './support/amqp-env.js';
import type { ManagedProcess } from './support/managed-process.js';
import { stopAll } from './support/managed-process.js';
import { startPythonWorker } from './support/python-celery.js';

const py = pythonCelery('amqp interop');
const env = py ? await amqpInterop('amqp interop', 'pyworker', { maxPriority: 10 }) : null;

function wire(task: string, args: unknown[], options: Record<string, unknown> = {}): WireSignature {
  return { task, args, kwargs: {}, options, subtask_type: null, immutable: false };
}

async function remoteError(promise: Promise<unknown>): Promise<RemoteError> {
  const err = await promise.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(RemoteError);
  return err as RemoteError;
}

describe.skipIf(!env || !py)('a q client, a Python worker (RabbitMQ, rpc:// results)', () => {
  const { urls, ledger, vhost } = env as AmqpInterop;
  let worker: ManagedProcess;
  let app: App;

  beforeAll(async () => {
    app = createApp({ name: 'q-amqp-client', broker: urls.broker, backend: 'rpc://', task: { queueMaxPriority: 10 } });
    // prefetch 1: the order of the priority test is the broker's order
    worker = await startPythonWorker(py ?? '', urls, { hostname: 'py-amqp@%h', extraArgs: ['--prefetch-multiplier', '1'] });
  }, 40_000);

  afterAll(async () => {
    await stopAll();
    await app?.close();
    await env?.close();
  });

  const run = async (name: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}, options = {}) =>
    (await app.sendTask(name, args, kwargs, options)).get({ timeout: 10 });

  it('runs tasks with positional and keyword arguments; q reads the rpc results', async () => {
    expect(await run('tasks.add', [2, 3])).toBe(5);
    expect(await run('tasks.add', [], { y: 40, x: 2 })).toBe(42);
    expect(await run('tasks.echo', [1, 'two', [3]], { a: { b: null }, 'é': 'ü' })).toEqual({
      args: [1, 'two', [3]],
      kwargs: { a: { b: null }, 'é': 'ü' },
    });
  });

  it('declared its reply queue as Celery does: the oid, not durable, auto-delete, x-expires = result_expires', () => {
    const rows = listQueues(vhost, ['name', 'durable', 'auto_delete', 'arguments']);
    const reply = rows.find((r) => r[0] === app.oid);
    expect(reply, `queues: ${JSON.stringify(rows)}`).toBeDefined();
    expect(reply?.slice(1)).toEqual(['false', 'true', '[{"x-expires",86400000}]']);
  });

  it('sends header integers Python can read: timelimit [300, 200] reaches the Python worker', async () => {
    // amqplib alone would encode 300 and 200 as `s` (a short *string* to py-amqp): the frame would be unreadable
    expect(await run('tasks.add', [4, 5], {}, { timeLimit: 300, softTimeLimit: 200 })).toBe(9);
    expect(await run('tasks.add', [5, 6], {}, { headers: { big: 2 ** 40, neg: -5, nested: [[-300, 70000]] } })).toBe(11);
    expect(worker.output()).toMatch(/tasks\.add\[[^\]]+\] received/);
  });

  it('reads a Python failure as a RemoteError: ValueError, its message, the Python traceback', async () => {
    const result = await app.sendTask('tasks.fail', ['it broke: ünïcode']);
    const err = await remoteError(result.get({ timeout: 10 }));
    expect(err.excType).toBe('ValueError');
    expect(err.excArgs).toEqual(['it broke: ünïcode']);
    expect(err.remoteTraceback).toMatch(/Traceback \(most recent call last\):[\s\S]*ValueError: it broke: ünïcode/);
    expect(await result.state()).toBe('FAILURE');
  });

  it('holds a task sent with countdown=1 until it is due', async () => {
    const started = performance.now();
    const result = await app.sendTask('tasks.add', [20, 22], {}, { countdown: 1 });
    await delay(400);
    expect(await result.state()).toBe('PENDING');
    expect(await result.get({ timeout: 10 })).toBe(42);
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('has an expired task revoked by Python: REVOKED, TaskRevokedError', async () => {
    const past = await app.sendTask('tasks.add', [1, 1], {}, { expires: new Date(Date.now() - 5000) });
    expect((await remoteError(past.get({ timeout: 10 }))).excType).toBe('TaskRevokedError');
    expect(await past.state()).toBe('REVOKED');
  });

  it('publishes AMQP priorities: Python serves 9 before 0', async () => {
    const key = `prio-${randomUUID()}`;
    const blocker = await app.sendTask('tasks.sleep', [1]);
    await delay(300);
    await app.sendTask('tasks.record', [key, 'sentinel'], {}, { priority: 5 });
    await delay(300); // the sentinel may take the one free prefetch slot
    const sent = [];
    for (const [name, priority] of [['lo1', 0], ['lo2', 0], ['hi1', 9], ['lo3', 0], ['hi2', 9], ['hi3', 9]] as const) {
      sent.push(await app.sendTask('tasks.record', [key, name], {}, { priority }));
    }
    await blocker.get({ timeout: 10 });
    for (const r of sent) await r.get({ timeout: 10 });
    const order = (await ledger.lrange(key, 0, -1)).map((e) => e.replace(/^python:/, '')).filter((e) => e !== 'sentinel');
    expect(order.slice(0, 3).sort()).toEqual(['hi1', 'hi2', 'hi3']);
    expect(order.slice(3).sort()).toEqual(['lo1', 'lo2', 'lo3']);
  });

  it('follows a Python task through its retries', async () => {
    expect(await run('tasks.flaky', [2])).toBe(2);
    const err = await remoteError(run('tasks.flaky', [5]));
    expect(err.excType).toBe('RuntimeError');
    expect(err.excArgs).toEqual(['transient failure']);
  });

  it('has Python send a q-built link callback and errback, replying to the q client', async () => {
    const childId = randomUUID();
    const parent = await app.sendTask('tasks.add', [2, 3], {}, { link: wire('tasks.mul', [10], { task_id: childId, reply_to: app.oid }) });
    expect(await parent.get({ timeout: 10 })).toBe(5);
    expect(await app.asyncResult(childId).get({ timeout: 10 })).toBe(50);
    const errbackId = randomUUID();
    const failed = await app.sendTask('tasks.fail', ['boom'], {}, { linkError: wire('tasks.errback', [], { task_id: errbackId, reply_to: app.oid }) });
    expect((await remoteError(failed.get({ timeout: 10 }))).excArgs).toEqual(['boom']);
    expect(await app.asyncResult(errbackId).get({ timeout: 10 })).toEqual({ failed: failed.id });
  });

  it('kept the Python worker alive, with no message it could not decode', () => {
    expect(worker.child.exitCode).toBeNull();
    expect(worker.output()).not.toMatch(/unknown message|Can't decode message body|Unrecoverable error|FrameSyntaxError|PRECONDITION/i);
  });
});
