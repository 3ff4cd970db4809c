/**
 * Python Celery 5.2.6 client → q worker, over RabbitMQ (vhost `q-test-e2e-amqp-pyclient`) with `rpc://`
 * results: the q worker (the real CLI, `-b amqp://… --result-backend rpc://`) sends every state as a message to
 * the Python client's reply queue, and Python's `AsyncResult.get()` reads it there. Queues carry
 * `x-max-priority: 10` on both sides (declared with identical arguments, or RabbitMQ would refuse one side).
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { pythonCelery } from '@q/test-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amqpInterop } from './support/amqp-env.js';
import type { AmqpInterop } from './support/amqp-env.js';
import type { ManagedProcess } from './support/managed-process.js';
import { stopAll } from './support/managed-process.js';
import { PythonClient, expectOk } from './support/python-celery.js';
import { startQWorker } from './support/q-worker.js';

const py = pythonCelery('amqp interop');
const env = py ? await amqpInterop('amqp interop', 'pyclient', { maxPriority: 10 }) : null;

describe.skipIf(!env || !py)('a Python client, a q worker (RabbitMQ, rpc:// results)', () => {
  const { urls, ledger } = env as AmqpInterop;
  let worker: ManagedProcess;
  let client: PythonClient;

  beforeAll(async () => {
    client = new PythonClient(py ?? '', urls);
    // solo pool, prefetch 1: the order of the priority test is the broker's order
    worker = await startQWorker(urls, ['-P', 'solo', '--prefetch-multiplier', '1', '-n', 'q-amqp@%h']);
  }, 40_000);

  afterAll(async () => {
    await stopAll();
    await env?.close();
  });

  it('resolved the AMQP transport and the rpc backend by scheme (the app imports neither)', () => {
    expect(worker.output()).toMatch(/amqp:\/\/guest:\*+@127\.0\.0\.1:5672\/q-test-e2e-amqp-pyclient/);
    expect(worker.output()).toMatch(/rpc:\/\//);
  });

  it('runs tasks with positional and keyword arguments', async () => {
    expect(expectOk(await client.call('tasks.add', [2, 3])).value).toBe(5);
    expect(expectOk(await client.call('tasks.add', [], { y: 40, x: 2 })).value).toBe(42);
    expect(expectOk(await client.call('tasks.xsum', [[1, 2, 3, 4.5]])).value).toBe(10.5);
    const echo = expectOk(await client.call('tasks.echo', [1, 'two', [3]], { a: { b: null }, 'é': 'ü' }));
    expect(echo.value).toEqual({ args: [1, 'two', [3]], kwargs: { a: { b: null }, 'é': 'ü' } });
  });

  it('reads the header integers Python sends: time_limit=300, soft_time_limit=200, big and negative ones', async () => {
    const reply = expectOk(await client.call('tasks.add', [1, 2], {}, { time_limit: 300, soft_time_limit: 200 }));
    expect(reply.value).toBe(3);
    // py-amqp encodes ints beyond int32 as a signed 64-bit `L`: q must read the message, not drop the connection
    const big = expectOk(await client.call('tasks.add', [3, 4], {}, { headers: { big: 2 ** 40, neg: -5, huge_neg: -(2 ** 40) } }));
    expect(big.value).toBe(7);
  });

  it('fails with the exception class and message Python raises from .get()', async () => {
    const failed = await client.call('tasks.fail', ['it broke: ünïcode']);
    expect(failed).toMatchObject({ ok: false, exc_type: 'ValueError', exc_module: 'builtins', message: 'it broke: ünïcode' });
  });

  it('holds a task sent with countdown=1 until it is due', async () => {
    const started = performance.now();
    const id = await client.send('tasks.add', [20, 22], {}, { countdown: 1 });
    await delay(400);
    expect(await client.meta(id)).toMatchObject({ state: 'PENDING' });
    expect(expectOk(await client.get(id)).value).toBe(42);
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('revokes an expired task: Python .get() raises TaskRevokedError', async () => {
    const past = await client.call('tasks.add', [1, 1], {}, { expires: new Date(Date.now() - 5000).toISOString() });
    expect(past).toMatchObject({ ok: false, exc_type: 'TaskRevokedError' });
    const late = await client.call('tasks.add', [1, 2], {}, { countdown: 1, expires: 0.3 });
    expect(late).toMatchObject({ ok: false, exc_type: 'TaskRevokedError' });
  });

  it('serves priority 9 before priority 0 (AMQP x-max-priority)', async () => {
    const key = `prio-${randomUUID()}`;
    const blocker = await client.send('tasks.sleep', [1]);
    await delay(200);
    await client.send('tasks.record', [key, 'sentinel'], {}, { priority: 5 });
    await delay(300); // the sentinel may take the one free prefetch slot
    const sent: string[] = [];
    for (const [name, priority] of [['lo1', 0], ['lo2', 0], ['hi1', 9], ['lo3', 0], ['hi2', 9], ['hi3', 9]] as const) {
      sent.push(await client.send('tasks.record', [key, name], {}, { priority }));
    }
    expectOk(await client.get(blocker));
    for (const id of sent) expectOk(await client.get(id));
    const order = (await ledger.lrange(key, 0, -1)).map((e) => e.replace(/^q:/, '')).filter((e) => e !== 'sentinel');
    expect(order.slice(0, 3).sort()).toEqual(['hi1', 'hi2', 'hi3']);
    expect(order.slice(3).sort()).toEqual(['lo1', 'lo2', 'lo3']);
  });

  it('retries: Python .get() follows the RETRY messages to the final result or the retry reason', async () => {
    expect(expectOk(await client.call('tasks.flaky', [2])).value).toBe(2);
    const exhausted = await client.call('tasks.flaky', [5]);
    expect(exhausted).toMatchObject({ ok: false, exc_type: 'RuntimeError', message: 'transient failure' });
  });

  it('sends link callbacks with the result prepended, and records them as children', async () => {
    const childId = randomUUID();
    const link = [{ task: 'tasks.mul', args: [10], options: { task_id: childId, reply_to: '$client' } }];
    const parent = expectOk(await client.call('tasks.add', [2, 3], {}, { link }));
    expect(parent.value).toBe(5);
    expect(expectOk(await client.get(childId)).value).toBe(50);
    expect(parent.children).toEqual([childId]);
  });

  it('sends link_error errbacks with the failed task id prepended', async () => {
    const errbackId = randomUUID();
    const failedId = await client.send('tasks.fail', ['boom'], {}, {
      link_error: [{ task: 'tasks.errback', options: { task_id: errbackId, reply_to: '$client' } }],
    });
    expect(await client.get(failedId)).toMatchObject({ ok: false, exc_type: 'ValueError', message: 'boom' });
    expect(expectOk(await client.get(errbackId)).value).toEqual({ failed: failedId });
  });

  it('kept the worker alive and did not reject any message', () => {
    if (process.env['INTEROP_DEBUG']) process.stderr.write(worker.output());
    expect(worker.child.exitCode).toBeNull();
    expect(worker.output()).not.toMatch(/rejected|malformed|PRECONDITION_FAILED/i);
  });
});
