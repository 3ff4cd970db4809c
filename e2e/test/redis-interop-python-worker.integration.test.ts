/**
 * q client → Python Celery 5.2.6 worker, over Redis (db 3; ledger db 4). The q client uses the typed path
 * (`redisTransport()` and `redisBackend()` instances); results and failures are read back in q.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { createApp, RemoteError } from '@q/core';
import type { App, WireSignature } from '@q/core';
import { redisBackend } from '@q/backend-redis';
import { redisTransport } from '@q/transport-redis';
import { REDIS, pythonCelery, servicesAvailable } from '@q/test-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManagedProcess } from './support/managed-process.js';
import { stopAll } from './support/managed-process.js';
import { startPythonWorker } from './support/python-celery.js';
import { BROKER_URL, INTEROP_URLS, interopDbs } from './support/redis-dbs.js';
import type { InteropDbs } from './support/redis-dbs.js';

const ok = await servicesAvailable('redis interop', REDIS);
const py = pythonCelery('redis interop');

function wire(task: string, args: unknown[], options: Record<string, unknown> = {}): WireSignature {
  return { task, args, kwargs: {}, options, subtask_type: null, immutable: false };
}

async function remoteError(promise: Promise<unknown>): Promise<RemoteError> {
  const err = await promise.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(RemoteError);
  return err as RemoteError;
}

describe.skipIf(!ok || !py)('a q client, a Python worker (Redis)', () => {
  let dbs: InteropDbs;
  let worker: ManagedProcess;
  let app: App;

  beforeAll(async () => {
    dbs = interopDbs();
    await dbs.flush();
    app = createApp({ name: 'q-interop-client', broker: redisTransport(BROKER_URL), backend: redisBackend(BROKER_URL) });
    worker = await startPythonWorker(py ?? '', INTEROP_URLS, { hostname: 'py-interop@%h' });
  }, 40_000);

  afterAll(async () => {
    await stopAll();
    await app?.close();
    if (dbs) {
      await dbs.flush();
      await dbs.close();
    }
  });

  const run = async (name: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}, options = {}) =>
    (await app.sendTask(name, args, kwargs, options)).get({ timeout: 10 });

  it('runs tasks with positional and keyword arguments; q reads the results', async () => {
    expect(await run('tasks.add', [2, 3])).toBe(5);
    expect(await run('tasks.add', [], { y: 40, x: 2 })).toBe(42);
    expect(await run('tasks.xsum', [[1, 2, 3, 4.5]])).toBe(10.5);
    expect(await run('tasks.echo', [1, 'two', [3]], { a: { b: null }, 'é': 'ü' })).toEqual({
      args: [1, 'two', [3]],
      kwargs: { a: { b: null }, 'é': 'ü' },
    });
  });

  it('reads a Python failure as a RemoteError: ValueError, its message, the Python traceback', async () => {
    const result = await app.sendTask('tasks.fail', ['it broke: ünïcode']);
    const err = await remoteError(result.get({ timeout: 10 }));
    expect(err.excType).toBe('ValueError');
    expect(err.excModule).toBe('builtins');
    expect(err.excArgs).toEqual(['it broke: ünïcode']);
    expect(err.message).toBe('ValueError: it broke: ünïcode');
    expect(err.taskId).toBe(result.id);
    expect(err.remoteTraceback).toMatch(/Traceback \(most recent call last\):[\s\S]*capapp\.py[\s\S]*ValueError: it broke: ünïcode/);
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

  it('holds a task sent with an eta until then', async () => {
    const eta = new Date(Date.now() + 1000);
    expect(await run('tasks.mul', [6, 7], {}, { eta })).toBe(42);
    expect(Date.now()).toBeGreaterThanOrEqual(eta.getTime() - 50);
  });

  it('has an expired task revoked by Python: REVOKED, TaskRevokedError', async () => {
    const past = await app.sendTask('tasks.add', [1, 1], {}, { expires: new Date(Date.now() - 5000) });
    expect((await remoteError(past.get({ timeout: 10 }))).excType).toBe('TaskRevokedError');
    expect(await past.state()).toBe('REVOKED');
    const late = await app.sendTask('tasks.add', [1, 2], {}, { countdown: 1, expires: 0.3 });
    expect((await remoteError(late.get({ timeout: 10 }))).excType).toBe('TaskRevokedError');
  });

  it('publishes priorities to kombu priority lists: Python serves 0 before 9', async () => {
    const key = `prio-${randomUUID()}`;
    const blocker = await app.sendTask('tasks.sleep', [1]);
    await delay(300);
    const sent = [];
    for (const [name, priority] of [['lo1', 9], ['lo2', 9], ['hi1', 0], ['lo3', 9], ['hi2', 0], ['hi3', 0]] as const) {
      sent.push(await app.sendTask('tasks.record', [key, name], {}, { priority }));
    }
    expect(await dbs.broker.llen('celery\x06\x169')).toBe(3);
    await blocker.get({ timeout: 10 });
    for (const r of sent) await r.get({ timeout: 10 });
    const order = (await dbs.ledger.lrange(key, 0, -1)).map((e) => e.replace(/^python:/, ''));
    expect(order.slice(0, 3).sort()).toEqual(['hi1', 'hi2', 'hi3']);
    expect(order.slice(3).sort()).toEqual(['lo1', 'lo2', 'lo3']);
  });

  it('follows a Python task through its retries', async () => {
    expect(await run('tasks.flaky', [2])).toBe(2);
    const err = await remoteError(run('tasks.flaky', [5]));
    expect(err.excType).toBe('RuntimeError');
    expect(err.excArgs).toEqual(['transient failure']);
  });

  it('has Python send a q-built link callback; the child is recorded', async () => {
    const childId = randomUUID();
    const parent = await app.sendTask('tasks.add', [2, 3], {}, { link: wire('tasks.mul', [10], { task_id: childId }) });
    expect(await parent.get({ timeout: 10 })).toBe(5);
    expect(await app.asyncResult(childId).get({ timeout: 10 })).toBe(50);
    expect((await parent.children()).map((c) => c.id)).toEqual([childId]);
  });

  it('has Python send a q-built link_error errback with the failed task id', async () => {
    const errbackId = randomUUID();
    const failed = await app.sendTask('tasks.fail', ['boom'], {}, { linkError: wire('tasks.errback', [], { task_id: errbackId }) });
    expect((await remoteError(failed.get({ timeout: 10 }))).excArgs).toEqual(['boom']);
    expect(await app.asyncResult(errbackId).get({ timeout: 10 })).toEqual({ failed: failed.id });
  });

  it('kept the Python worker alive, with no message it could not decode', () => {
    expect(worker.child.exitCode).toBeNull();
    expect(worker.output()).not.toMatch(/unknown message|Can't decode message body|Unrecoverable error/i);
  });
});
