/**
 * q client → Python Celery 5.2.6 worker, over RabbitMQ (vhost `q-test-e2e-amqp-pyworker`) with `rpc://`
 * results: the Python worker replies to the q client's own reply queue (its oid), declared by q with exactly
 * the arguments Python would use. The q client uses URLs here, so the adapters resolve by scheme.
 */
import { createApp } from '@q/core';
import type { App } from '@q/core';
import { listQueues, pythonCelery } from '@q/test-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amqpInterop } from './support/amqp-env.js';
import type { AmqpInterop } from './support/amqp-env.js';
import type { ManagedProcess } from './support/managed-process.js';
import { stopAll } from './support/managed-process.js';
import { startPythonWorker } from './support/python-celery.js';
import { pythonWorkerCases } from './support/python-worker-cases.js';

const py = pythonCelery('amqp interop');
const env = py ? await amqpInterop('amqp interop', 'pyworker', { maxPriority: 10 }) : null;

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

  it('sends header integers Python can read: timelimit [300, 200] reaches the Python worker', async () => {
    // amqplib alone would encode 300 and 200 as `s` (a short *string* to py-amqp): the frame would be unreadable
    expect(await run('tasks.add', [4, 5], {}, { timeLimit: 300, softTimeLimit: 200 })).toBe(9);
    expect(await run('tasks.add', [5, 6], {}, { headers: { big: 2 ** 40, neg: -5, nested: [[-300, 70000]] } })).toBe(11);
    expect(worker.output()).toMatch(/tasks\.add\[[^\]]+\] received/);
  });

  it('declared its reply queue as Celery does: the oid, not durable, auto-delete, x-expires = result_expires', () => {
    const rows = listQueues(vhost, ['name', 'durable', 'auto_delete', 'arguments']);
    const reply = rows.find((r) => r[0] === app.oid);
    expect(reply, `queues: ${JSON.stringify(rows)}`).toBeDefined();
    expect(reply?.slice(1)).toEqual(['false', 'true', '[{"x-expires",86400000}]']);
  });

  pythonWorkerCases({
    app: () => app,
    worker: () => worker,
    ledger: () => ledger,
    firstPriority: 9,
    // rpc://: the Python worker sends a callback's states to the q client only when the signature replies to it
    signatureOptions: () => ({ reply_to: app.oid }),
    readsChildren: false,
    forbiddenOutput: /unknown message|Can't decode message body|Unrecoverable error|FrameSyntaxError|PRECONDITION/i,
  });
});
