/**
 * Remote control between q and Python Celery 5.2.6 over Redis (broker and results on db 12, the ledger on db 13,
 * both flushed before and after): Python's `celery inspect`/`celery control` against q workers, `q inspect`/
 * `q control` against Python workers, a mixed cluster, five q workers answering one ping. The cases are in
 * `support/control-cases.ts`, shared with the RabbitMQ suite.
 */
import { REDIS, pythonCelery, servicesAvailable } from '@q/test-services';
import { afterAll, beforeAll, describe } from 'vitest';
import { controlInteropCases } from './support/control-cases.js';
import { interopDbs } from './support/redis-dbs.js';
import type { InteropDbs } from './support/redis-dbs.js';

/** This suite's Redis dbs (no other suite uses 12 and 13). */
const URLS = { broker: 'redis://127.0.0.1:6379/12', backend: 'redis://127.0.0.1:6379/12', ledger: 'redis://127.0.0.1:6379/13' };

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
