/**
 * Broadcast and worker-direct queues between q and Python Celery 5.2.6 on RabbitMQ (vhost `q-test-e2e-routing`):
 * two q workers (the real CLI) and a Python worker consume the broadcast queue `bc` — each through a `bcast.<uuid4>`
 * queue of its own on the fanout exchange `bc` — and their direct queues (`<node>.dq2` on `C.dq2`). Results and the
 * ledger are a private redis-server (db 0, db 1): every shared Redis db is taken.
 */
import { broadcastQueue, createApp } from '@q/core';
import type { App } from '@q/core';
import { listQueues, missingRedisServer, pythonCelery, rabbitVhost, runsHere } from '@q/test-services';
import type { TestVhost } from '@q/test-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopAll } from './support/managed-process.js';
import { PythonClient } from './support/python-celery.js';
import { BROADCAST_QUEUE, NODES, routingCases, routingEnv, startRoutingRedis, startRoutingWorkers } from './support/routing-cases.js';
import type { RoutingRedis, RoutingWorkers } from './support/routing-cases.js';

const py = pythonCelery('amqp routing interop');
const runs = runsHere('amqp routing interop', [missingRedisServer()]);
const vhost = py && runs ? await rabbitVhost('amqp routing interop', 'e2e-routing') : null;

describe.skipIf(!py || !runs || !vhost)('broadcast and worker-direct queues between q and Python on RabbitMQ', () => {
  let redis: RoutingRedis | undefined;
  let workers: RoutingWorkers;
  let client: PythonClient;
  let app: App | undefined;

  beforeAll(async () => {
    redis = await startRoutingRedis();
    const urls = routingEnv({ broker: (vhost as TestVhost).url, backend: redis.url(0), ledger: redis.url(1) });
    app = createApp({ name: 'q-routing-client', broker: urls.broker, backend: urls.backend, task: { queues: [broadcastQueue(BROADCAST_QUEUE)] } });
    client = new PythonClient(py ?? '', urls);
    workers = await startRoutingWorkers(py ?? '', urls);
  }, 50_000);

  afterAll(async () => {
    await stopAll();
    await app?.close();
    await redis?.stop();
    await vhost?.drop();
  });

  it("each worker has a bcast.<uuid4> queue of its own, durable and auto-delete as kombu's, and a direct queue", () => {
    const rows = listQueues((vhost as TestVhost).name, ['name', 'durable', 'auto_delete']);
    const bcast = rows.filter(([queue]) => queue?.startsWith('bcast.'));
    expect(bcast).toHaveLength(3);
    for (const [queue, durable, autoDelete] of bcast) {
      expect(queue).toMatch(/^bcast\.[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect([durable, autoDelete]).toEqual(['true', 'true']);
    }
    const names = rows.map(([queue]) => queue);
    for (const node of Object.values(NODES)) expect(names).toContain(`${node}.dq2`);
    expect(names).not.toContain(BROADCAST_QUEUE);
  });

  routingCases({ app: () => app as App, client: () => client, workers: () => workers, ledger: () => (redis as RoutingRedis).ledger });
});
