/**
 * Celery events between q and Python Celery 5.2.6 over RabbitMQ (vhost `q-test-e2e-amqp-events`, dropped afterwards;
 * events on the topic exchange `celeryev`; results and the ledger on Redis db 8, flushed before and after): the cases
 * of `support/events-cases.ts`, as the Redis suite runs them.
 */
import { pythonCelery } from '@q/test-services';
import { afterAll, describe } from 'vitest';
import { amqpInterop } from './support/amqp-env.js';
import type { AmqpInterop } from './support/amqp-env.js';
import { eventsInteropCases } from './support/events-cases.js';

/** Results and ledger of this suite: db 8, the Redis events suite's (e2e suites run one at a time). */
const REDIS_DB = 'redis://127.0.0.1:6379/8';

const py = pythonCelery('amqp events interop');
const env = py ? await amqpInterop('amqp events interop', 'events', { backend: REDIS_DB, ledger: REDIS_DB }) : null;

describe.skipIf(!env || !py)('Celery events between q and Python Celery (RabbitMQ)', () => {
  const { urls } = env as AmqpInterop;

  afterAll(async () => {
    await env?.close();
  });

  eventsInteropCases({ broker: 'RabbitMQ', python: py ?? '', urls: () => urls });
});
