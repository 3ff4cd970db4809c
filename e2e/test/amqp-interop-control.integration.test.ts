/**
 * Remote control between q and Python Celery 5.2.6 over RabbitMQ (vhost `q-test-e2e-amqp-control`, dropped
 * afterwards; results and the ledger on Redis db 12, flushed before and after): the cases of
 * `support/control-cases.ts`, as the Redis suite runs them, with pidbox exchanges and queues on AMQP.
 */
import { spawnSync } from 'node:child_process';
import type { App } from '@q/core';
import { listQueues, pythonCelery } from '@q/test-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amqpInterop } from './support/amqp-env.js';
import type { AmqpInterop } from './support/amqp-env.js';
import { controlInteropCases } from './support/control-cases.js';
import { celeryJson, clientApp } from './support/control-support.js';
import { stopAll } from './support/managed-process.js';
import { startQWorker } from './support/q-worker.js';

/** Results and ledger of this suite: db 12, the Redis control suite's (e2e suites run one at a time; no other uses 12). */
const REDIS_DB = 'redis://127.0.0.1:6379/12';

const py = pythonCelery('amqp control interop');
const env = py ? await amqpInterop('amqp control interop', 'control', { backend: REDIS_DB, ledger: REDIS_DB }) : null;

describe.skipIf(!env || !py)('remote control between q and Python Celery (RabbitMQ)', () => {
  const { urls, ledger, vhost } = env as AmqpInterop;

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

  describe("the pidbox topology q declares on RabbitMQ is Celery's (captured: vectors/amqp-topology-rabbitmqctl.txt)", () => {
    const node = 'q-topology@interop';
    let app: App;

    beforeAll(async () => {
      app = clientApp(urls, 'q-control-client');
      await startQWorker(urls, ['-n', node, '-P', 'async']);
    }, 60_000);

    afterAll(async () => {
      await stopAll();
      await app?.close();
    });

    it("the worker's and the client's queues and both exchanges: Celery's flags and arguments; Python's declarations agree", async () => {
      expect(await app.control.ping({ destination: [node], timeout: 2 })).toEqual([{ [node]: { ok: 'pong' } }]);
      // Python declares the same exchanges (and its own reply queue): a mismatch would be a PRECONDITION_FAILED here
      expect(await celeryJson(py ?? '', urls, ['inspect', 'ping', '-d', node])).toEqual({ [node]: { ok: 'pong' } });
      const queues = listQueues(vhost, ['name', 'durable', 'auto_delete', 'arguments']);
      const pidboxArgs = '[{"x-expires",10000},{"x-message-ttl",300000}]';
      expect(queues.find((q) => q[0] === `${node}.celery.pidbox`)?.slice(1), JSON.stringify(queues)).toEqual(['false', 'true', pidboxArgs]);
      expect(queues.find((q) => q[0] === `${app.oid}.reply.celery.pidbox`)?.slice(1), JSON.stringify(queues)).toEqual(['false', 'true', pidboxArgs]);
      const exchanges = spawnSync('rabbitmqctl', ['-q', 'list_exchanges', '-p', vhost, '--no-table-headers', 'name', 'type', 'durable', 'auto_delete', 'internal', 'arguments'], {
        encoding: 'utf8',
      })
        .stdout.split('\n')
        .map((line) => line.split('\t'));
      expect(exchanges).toContainEqual(['celery.pidbox', 'fanout', 'false', 'false', 'false', '[]']);
      expect(exchanges).toContainEqual(['reply.celery.pidbox', 'direct', 'false', 'false', 'false', '[]']);
    });
  });
});
