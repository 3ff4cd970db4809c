import { keyValueDriverSuite, resultBackendSuite } from '@q/conformance';
import { REDIS, servicesAvailable } from '@q/test-services';
import { afterAll, beforeAll, describe } from 'vitest';
import { redisBackend, redisKeyValueDriver } from '../src/index.js';
import { URL_DB2, flushDb2 } from './redis-db.js';

const ok = await servicesAvailable('backend-redis', REDIS);

describe.skipIf(!ok)('redis (db 2)', () => {
  beforeAll(flushDb2);
  afterAll(flushDb2);

  keyValueDriverSuite('redis key-value driver', async () => redisKeyValueDriver(URL_DB2), {
    peer: async () => redisKeyValueDriver(URL_DB2),
  });
  resultBackendSuite('redis backend', async () => redisBackend(URL_DB2));
});
