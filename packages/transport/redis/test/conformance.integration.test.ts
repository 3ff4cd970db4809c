/** The Redis driver and transport pass @q/conformance against the live Redis (db 1). */
import { queueDriverSuite, transportSuite } from '@q/conformance';
import { REDIS, servicesAvailable } from '@q/test-services';
import { describe } from 'vitest';
import { redisQueueDriver, redisTransport } from '../src/index.js';
import { URL1, flushDb1, rawClient } from './helpers.js';

const ok = await servicesAvailable('transport-redis', REDIS);

describe.skipIf(!ok)('redis conformance', () => {
  flushDb1(rawClient());

  queueDriverSuite(
    'redis',
    async (o) => redisQueueDriver({ url: URL1, ...(o.visibilityTimeoutMs === undefined ? {} : { visibilityTimeoutMs: o.visibilityTimeoutMs }) }),
    { peer: async () => redisQueueDriver({ url: URL1 }), visibilityTimeout: true },
  );

  queueDriverSuite(
    'redis (brpop mode)',
    async (o) =>
      redisQueueDriver({ url: URL1, blockingMode: 'brpop', ...(o.visibilityTimeoutMs === undefined ? {} : { visibilityTimeoutMs: o.visibilityTimeoutMs }) }),
    { peer: async () => redisQueueDriver({ url: URL1, blockingMode: 'brpop' }), visibilityTimeout: true },
  );

  transportSuite('redis', async () => redisTransport(URL1), { peer: async () => redisTransport(URL1), quietMs: 150 });
});
