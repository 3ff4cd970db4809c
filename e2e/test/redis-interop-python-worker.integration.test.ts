/**
 * q client → Python Celery 5.2.6 worker, over Redis (db 3; ledger db 4). The q client uses the typed path
 * (`redisTransport()` and `redisBackend()` instances); results and failures are read back in q.
 */
import { createApp } from '@q/core';
import type { App } from '@q/core';
import { redisBackend } from '@q/backend-redis';
import { redisTransport } from '@q/transport-redis';
import { REDIS, pythonCelery, servicesAvailable } from '@q/test-services';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { ManagedProcess } from './support/managed-process.js';
import { stopAll } from './support/managed-process.js';
import { startPythonWorker } from './support/python-celery.js';
import { pythonWorkerCases } from './support/python-worker-cases.js';
import { BROKER_URL, INTEROP_URLS, interopDbs } from './support/redis-dbs.js';
import type { InteropDbs } from './support/redis-dbs.js';

const ok = await servicesAvailable('redis interop', REDIS);
const py = pythonCelery('redis interop');

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

  pythonWorkerCases({
    app: () => app,
    worker: () => worker,
    ledger: () => dbs.ledger,
    firstPriority: 0,
    // the three priority-9 tasks wait in kombu's lowest-priority list
    whilePrioritiesWait: async () => expect(await dbs.broker.llen('celery\x06\x169')).toBe(3),
    readsChildren: true,
    forbiddenOutput: /unknown message|Can't decode message body|Unrecoverable error/i,
  });
});
