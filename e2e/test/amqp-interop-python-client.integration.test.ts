/**
 * Python Celery 5.2.6 client → q worker, over RabbitMQ (vhost `q-test-e2e-amqp-pyclient`) with `rpc://`
 * results: the q worker (the real CLI, `-b amqp://… --result-backend rpc://`) sends every state as a message to
 * the Python client's reply queue, and Python's `AsyncResult.get()` reads it there. Queues carry
 * `x-max-priority: 10` on both sides (declared with identical arguments, or RabbitMQ would refuse one side).
 */
import { pythonCelery } from '@q/test-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amqpInterop } from './support/amqp-env.js';
import type { AmqpInterop } from './support/amqp-env.js';
import type { ManagedProcess } from './support/managed-process.js';
import { stopAll } from './support/managed-process.js';
import { PythonClient, expectOk } from './support/python-celery.js';
import { pythonClientCases } from './support/python-client-cases.js';
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

  it('reads the header integers Python sends: time_limit=300, soft_time_limit=200, big and negative ones', async () => {
    const reply = expectOk(await client.call('tasks.add', [1, 2], {}, { time_limit: 300, soft_time_limit: 200 }));
    expect(reply.value).toBe(3);
    // py-amqp encodes ints beyond int32 as a signed 64-bit `L`: q must read the message, not drop the connection
    const big = expectOk(await client.call('tasks.add', [3, 4], {}, { headers: { big: 2 ** 40, neg: -5, huge_neg: -(2 ** 40) } }));
    expect(big.value).toBe(7);
  });

  pythonClientCases({
    client: () => client,
    worker: () => worker,
    ledger: () => ledger,
    firstPriority: 9,
    // rpc://: a callback's result reaches the client only when the signature replies to it
    signatureOptions: { reply_to: '$client' },
    forbiddenOutput: /rejected|malformed|PRECONDITION_FAILED/i,
  });
});
