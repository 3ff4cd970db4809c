/**
 * A q worker (the real CLI) and a Python Celery 5.2.6 worker consume one RabbitMQ queue together (vhost
 * `q-test-e2e-amqp-shared`), fed by a q client and a Python client: every task runs exactly once, right, and
 * both workers take a share. Results go to Redis db 11 here (rpc:// results are only readable by the client
 * that sent the task, and this suite reads each client's results from the other), beside the ledger.
 */
import { createApp } from '@q/core';
import type { App } from '@q/core';
import { listQueues, pythonCelery } from '@q/test-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AMQP_LEDGER_URL, amqpInterop } from './support/amqp-env.js';
import type { AmqpInterop } from './support/amqp-env.js';
import type { ManagedProcess } from './support/managed-process.js';
import { stopAll } from './support/managed-process.js';
import { PythonClient, startPythonWorker } from './support/python-celery.js';
import { startQWorker } from './support/q-worker.js';
import { handoverCase, SHARED_QUEUE, sharedRunCase, workersRunningCase } from './support/shared-queue-cases.js';
import type { SharedQueueSuite } from './support/shared-queue-cases.js';

const py = pythonCelery('amqp interop');
const env = py ? await amqpInterop('amqp interop', 'shared', { backend: AMQP_LEDGER_URL }) : null;

describe.skipIf(!env || !py)('a q worker and a Python worker on one RabbitMQ queue', () => {
  const { urls, ledger, vhost } = env as AmqpInterop;
  let qWorker: ManagedProcess;
  let pyWorker: ManagedProcess;
  let client: PythonClient;
  let app: App;

  beforeAll(async () => {
    app = createApp({ name: 'q-amqp-shared', broker: urls.broker, backend: urls.backend });
    client = new PythonClient(py ?? '', urls);
    [qWorker, pyWorker] = await Promise.all([
      startQWorker(urls, ['-Q', SHARED_QUEUE, '-c', '2', '--prefetch-multiplier', '1', '-n', 'q-shared@%h']),
      startPythonWorker(py ?? '', urls, { hostname: 'py-shared@%h', queues: [SHARED_QUEUE] }),
    ]);
  }, 40_000);

  afterAll(async () => {
    await stopAll();
    await app?.close();
    await env?.close();
  });

  const suite: SharedQueueSuite = {
    app: () => app,
    client: () => client,
    qWorker: () => qWorker,
    pyWorker: () => pyWorker,
    ledger: () => ledger,
    async leftNothingBehind() {
      // nothing ready or unacknowledged (Python prefork acks can trail its results by seconds)
      const counts = () => listQueues(vhost, ['name', 'messages_ready', 'messages_unacknowledged']).find((r) => r[0] === SHARED_QUEUE)?.slice(1);
      await expect.poll(counts, { timeout: 30_000, interval: 500 }).toEqual(['0', '0']);
    },
  };

  sharedRunCase(suite);

  it('both sides declared the shared queue identically (no PRECONDITION_FAILED on either)', () => {
    const row = listQueues(vhost, ['name', 'durable', 'auto_delete', 'exclusive', 'arguments']).find((r) => r[0] === SHARED_QUEUE);
    expect(row?.slice(1)).toEqual(['true', 'false', 'false', '[]']);
    expect(`${qWorker.output()}${pyWorker.output()}`).not.toMatch(/PRECONDITION_FAILED/);
  });

  workersRunningCase(suite);

  handoverCase(suite);
});
