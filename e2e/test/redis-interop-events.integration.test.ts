/**
 * Celery events between q and Python Celery 5.2.6 over Redis (broker, results and the ledger on db 8, flushed before
 * and after; events go through Redis PUBLISH on `/8.celeryev/<routing key>`): Python's `Receiver`/`State` and
 * `celery events --dump` watching a `q worker -E`, q's `EventReceiver`/`ClusterState` watching a Python worker, gossip
 * between them, `celery control enable_events`/`heartbeat` on a q worker. The cases are in
 * `support/events-cases.ts`, shared with the RabbitMQ suite.
 */
import { REDIS, pythonCelery, servicesAvailable } from '@q/test-services';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe } from 'vitest';
import { eventsInteropCases } from './support/events-cases.js';
import { interopDbs } from './support/redis-dbs.js';
import type { InteropDbs } from './support/redis-dbs.js';

/** This suite's Redis db, for everything (the canvas suites' ledger db; e2e suites run one at a time). */
const DB8 = 'redis://127.0.0.1:6379/8';
const URLS = { broker: DB8, backend: DB8, ledger: DB8 };

const ok = await servicesAvailable('redis events interop', REDIS);
const py = pythonCelery('redis events interop');

/** kombu's channel for the routing key `task.multi` on db 8 (fanout exchange `celeryev`). */
const TASK_MULTI_CHANNEL = '/8.celeryev/task.multi';

describe.skipIf(!ok || !py)('Celery events between q and Python Celery (Redis)', () => {
  let dbs: InteropDbs;
  let subscriber: Redis | undefined;
  /** The decoded bodies of every message published on `task.multi` (kombu's envelope, body base64). */
  const taskMultiBodies: unknown[] = [];

  beforeAll(async () => {
    dbs = interopDbs(URLS);
    await dbs.flush();
    subscriber = new Redis(DB8, { maxRetriesPerRequest: 2 });
    subscriber.on('message', (_channel: string, raw: string) => {
      const envelope = JSON.parse(raw) as { body: string; properties?: { body_encoding?: string } };
      const body = envelope.properties?.body_encoding === 'base64' ? Buffer.from(envelope.body, 'base64').toString('utf8') : envelope.body;
      taskMultiBodies.push(JSON.parse(body) as unknown);
    });
    await subscriber.subscribe(TASK_MULTI_CHANNEL);
  });

  afterAll(async () => {
    await subscriber?.quit().catch(() => subscriber?.disconnect());
    if (dbs) {
      await dbs.flush();
      await dbs.close();
    }
  });

  eventsInteropCases({ broker: 'Redis', python: py ?? '', urls: () => URLS, taskMultiBodies: () => taskMultiBodies });
});
