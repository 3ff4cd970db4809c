/**
 * Remote control between q and Python Celery 5.2.6 over RabbitMQ (vhost `q-test-e2e-amqp-control`, dropped
 * afterwards; results and the ledger on Redis db 12, flushed before and after): the cases of
 * `support/control-cases.ts`, as the Redis suite runs them, with pidbox exchanges and queues on AMQP.
 */
import { pythonCelery } from '@q/test-services';
import { afterAll, describe } from 'vitest';
import { amqpInterop } from './support/amqp-env.js';
import type { AmqpInterop } from './support/amqp-env.js';
import { controlInteropCases } from './support/control-cases.js';

/** Results and ledger of this suite: db 12, the Redis control suite's (e2e suites run one at a time; no other uses 12). */
const REDIS_DB = 'redis://127.0.0.1:6379/12';

const py = pythonCelery('amqp control interop');
const env = py ? await amqpInterop('amqp control interop', 'control', { backend: REDIS_DB, ledger: REDIS_DB }) : null;

describe.skipIf(!env || !py)('remote control between q and Python Celery (RabbitMQ)', () => {
  const { urls, ledger } = env as AmqpInterop;

  afterAll(async () => {
    await env?.close();
  });

  controlInteropCases({
    broker: 'RabbitMQ',
    python: py ?? '',
    urls: () => urls,
    ledger: () => ledger,
    brokerInfo: { transport: 'amqp', port: 5672 },
    // the async pool here (prefork in the Redis suite): terminate aborts the task's signal
    qWorkerArgs: ['-P', 'async', '-c', '8'],
    qPoolResizes: false,
  });
});
