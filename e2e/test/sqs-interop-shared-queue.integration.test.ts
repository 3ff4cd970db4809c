/**
 * A q worker (the real CLI, `-b sqs://`) and a Python Celery 5.2.6 worker consume one SQS queue together (a private
 * emulator), fed by a q client (the URL path: `broker: 'sqs://…'` with kombu's transport options) and a Python
 * client: every task runs exactly once, with the right result, and both workers take a share. Each run appends
 * `<worker>:<n>` to a ledger list; results and the ledger live in a private redis-server (see support/sqs-env.ts).
 *
 * The hand-over sends its countdown tasks from Python: q's own countdown tasks are delayed by SQS itself
 * (DelaySeconds), so no worker holds them, while kombu's are held, unacknowledged, by whichever worker received them.
 */
import { createApp } from '@q/core';
import type { App } from '@q/core';
import { missingRedisServer, pythonCelery, runsHere } from '@q/test-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManagedProcess } from './support/managed-process.js';
import { stopAll } from './support/managed-process.js';
import { PythonClient, startPythonWorker } from './support/python-celery.js';
import { startQWorker } from './support/q-worker.js';
import { handoverCase, SHARED_QUEUE, sharedFailureCase, sharedRunCase, workersRunningCase } from './support/shared-queue-cases.js';
import type { SharedQueueSuite } from './support/shared-queue-cases.js';
import { sqsInterop } from './support/sqs-env.js';
import type { SqsInterop } from './support/sqs-env.js';

const py = pythonCelery('sqs interop', ['boto3', 'pycurl']);
const runs = runsHere('sqs interop', [missingRedisServer()]);

describe.skipIf(!py || !runs)('a q worker and a Python worker on one SQS queue', () => {
  let env: SqsInterop | undefined;
  let qWorker: ManagedProcess;
  let pyWorker: ManagedProcess;
  let client: PythonClient;
  let app: App;

  beforeAll(async () => {
    env = await sqsInterop('shared');
    app = createApp({
      name: 'q-sqs-client',
      broker: env.urls.broker,
      brokerOptions: { transportOptions: env.transportOptions },
      backend: env.urls.backend,
    });
    client = new PythonClient(py ?? '', env.urls);
    [qWorker, pyWorker] = await Promise.all([
      startQWorker(env.urls, ['-Q', SHARED_QUEUE, '-c', '2', '--prefetch-multiplier', '1', '-n', 'q-shared@%h']),
      startPythonWorker(py ?? '', env.urls, { hostname: 'py-shared@%h', queues: [SHARED_QUEUE] }),
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
    ledger: () => (env as SqsInterop).ledger,
    async leftNothingBehind() {
      // nothing visible, in flight (received, not deleted) or delayed; Python's deletes trail its results a little
      await expect
        .poll(() => (env as SqsInterop).sqs.counts(SHARED_QUEUE), { timeout: 5000 })
        .toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    },
  };

  sharedRunCase(suite);

  sharedFailureCase(suite);

  workersRunningCase(suite);

  handoverCase(suite, 'python');

  it('left nothing on the queue after the hand-over', async () => {
    await suite.leftNothingBehind();
    expect(pyWorker.output()).not.toMatch(/unknown message|Can't decode message body|Unrecoverable error/i);
  });
});
