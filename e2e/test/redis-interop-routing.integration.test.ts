/**
 * Broadcast and worker-direct queues between q and Python Celery 5.2.6 on Redis: two q workers (the real CLI) and a
 * Python worker consume the broadcast queue `bc` — kombu's fanout over pub/sub (`PUBLISH /0.bc/celery`) — and their
 * direct queues (`<node>.dq2` on `C.dq2`). Broker, results and ledger are a private redis-server (db 0, db 1): every
 * shared Redis db is taken.
 */
import { broadcastQueue, createApp } from '@q/core';
import type { App } from '@q/core';
import { missingRedisServer, pythonCelery, runsHere } from '@q/test-services';
import { afterAll, beforeAll, describe } from 'vitest';
import { stopAll } from './support/managed-process.js';
import { PythonClient } from './support/python-celery.js';
import { BROADCAST_QUEUE, routingCases, routingEnv, startRoutingRedis, startRoutingWorkers } from './support/routing-cases.js';
import type { RoutingRedis, RoutingWorkers } from './support/routing-cases.js';

const py = pythonCelery('redis routing interop');
const runs = runsHere('redis routing interop', [missingRedisServer()]);

describe.skipIf(!py || !runs)('broadcast and worker-direct queues between q and Python on Redis', () => {
  let redis: RoutingRedis | undefined;
  let workers: RoutingWorkers;
  let client: PythonClient;
  let app: App | undefined;

  beforeAll(async () => {
    redis = await startRoutingRedis();
    const urls = routingEnv({ broker: redis.url(0), backend: redis.url(0), ledger: redis.url(1) });
    app = createApp({ name: 'q-routing-client', broker: urls.broker, backend: urls.backend, task: { queues: [broadcastQueue(BROADCAST_QUEUE)] } });
    client = new PythonClient(py ?? '', urls);
    workers = await startRoutingWorkers(py ?? '', urls);
  }, 50_000);

  afterAll(async () => {
    await stopAll();
    await app?.close();
    await redis?.stop();
  });

  routingCases({ app: () => app as App, client: () => client, workers: () => workers, ledger: () => (redis as RoutingRedis).ledger });
});
