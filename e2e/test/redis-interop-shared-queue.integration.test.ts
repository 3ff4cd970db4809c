/**
 * A q worker (the real CLI) and a Python Celery 5.2.6 worker consume one Redis queue together, fed by a q
 * client and a Python client: every task runs exactly once, with the right result, and both workers take a
 * share. Each run appends `<worker>:<n>` to a ledger list in db 4, which counts executions across languages.
 */
import { createApp } from '@q/core';
import type { App } from '@q/core';
import { REDIS, pythonCelery, servicesAvailable } from '@q/test-services';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { ManagedProcess } from './support/managed-process.js';
import { stopAll } from './support/managed-process.js';
import { PythonClient, startPythonWorker } from './support/python-celery.js';
import { startQWorker } from './support/q-worker.js';
import { handoverCase, SHARED_QUEUE, sharedFailureCase, sharedRunCase, workersRunningCase } from './support/shared-queue-cases.js';
import type { SharedQueueSuite } from './support/shared-queue-cases.js';
import { BROKER_URL, INTEROP_URLS, interopDbs } from './support/redis-dbs.js';
import type { InteropDbs } from './support/redis-dbs.js';

const ok = await servicesAvailable('redis interop', REDIS);
const py = pythonCelery('redis interop');

describe.skipIf(!ok || !py)('a q worker and a Python worker on one Redis queue', () => {
  let dbs: InteropDbs;
  let qWorker: ManagedProcess;
  let pyWorker: ManagedProcess;
  let client: PythonClient;
  let app: App;

  beforeAll(async () => {
    dbs = interopDbs();
    await dbs.flush();
    // the URL path: `redis://` resolves the adapters through their plugins
    app = createApp({ name: 'q-interop-client', broker: BROKER_URL, backend: BROKER_URL });
    client = new PythonClient(py ?? '', INTEROP_URLS);
    [qWorker, pyWorker] = await Promise.all([
      startQWorker(INTEROP_URLS, ['-Q', SHARED_QUEUE, '-c', '2', '--prefetch-multiplier', '1', '-n', 'q-shared@%h']),
      startPythonWorker(py ?? '', INTEROP_URLS, { hostname: 'py-shared@%h', queues: [SHARED_QUEUE] }),
    ]);
  }, 40_000);

  afterAll(async () => {
    await stopAll();
    await app?.close();
    if (dbs) {
      await dbs.flush();
      await dbs.close();
    }
  });

  const suite: SharedQueueSuite = {
    app: () => app,
    client: () => client,
    qWorker: () => qWorker,
    pyWorker: () => pyWorker,
    ledger: () => dbs.ledger,
    async leftNothingBehind() {
      expect(await dbs.broker.llen(SHARED_QUEUE)).toBe(0);
      // Python acks lag its results a little (up to ~1 s for held countdown tasks)
      await expect.poll(() => dbs.broker.hlen('unacked'), { timeout: 3000 }).toBe(0);
    },
  };

  sharedRunCase(suite);

  sharedFailureCase(suite);

  workersRunningCase(suite);

  handoverCase(suite);
});
