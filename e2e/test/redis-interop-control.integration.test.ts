/**
 * Remote control between q and Python Celery 5.2.6 over Redis (broker, results and the ledger on db 12, flushed
 * before and after): Python's `celery inspect`/`celery control` against q workers, `q inspect`/
 * `q control` against Python workers, a mixed cluster, five q workers answering one ping. The cases are in
 * `support/control-cases.ts`, shared with the RabbitMQ suite.
 */
import { REDIS, pythonCelery, servicesAvailable } from '@q/test-services';
import { afterAll, beforeAll, describe } from 'vitest';
import { controlInteropCases } from './support/control-cases.js';
import { interopDbs } from './support/redis-dbs.js';
import type { InteropDbs } from './support/redis-dbs.js';

/**
 * This suite's Redis db, for everything (no other suite uses 12; the RabbitMQ control suite, which never runs at the
 * same time as this one, keeps its results there too). The ledger's keys are `control:*` lists.
 */
const DB12 = 'redis://127.0.0.1:6379/12';
const URLS = { broker: DB12, backend: DB12, ledger: DB12 };

const ok = await servicesAvailable('redis control interop', REDIS);
const py = pythonCelery('redis control interop');

describe.skipIf(!ok || !py)('remote control between q and Python Celery (Redis)', () => {
  let dbs: InteropDbs;

  beforeAll(async () => {
    dbs = interopDbs(URLS);
    await dbs.flush();
  });

  afterAll(async () => {
    if (dbs) {
      await dbs.flush();
      await dbs.close();
    }
  });

  controlInteropCases({
    broker: 'Redis',
    python: py ?? '',
    urls: () => URLS,
    ledger: () => dbs.ledger,
    brokerInfo: { transport: 'redis', port: 6379 },
    // prefork: Python's terminate reaches a child process, as it would a Celery prefork child
    qWorkerArgs: ['-P', 'prefork', '-c', '2'],
    qPoolResizes: true,
  });
});
