/**
 * The rpc backend over RabbitMQ (`@q/transport-amqp`, vhost `q-test-backend-rpc`, dropped afterwards): the
 * conformance suite, the reply queue exactly as Celery declares it (checked with rabbitmqctl), a real q worker
 * answering a q client, and a waiting get() failed at once by app.close(). Python interop over AMQP with `rpc://` is in e2e (`amqp-interop-*`).
 */
import { resultBackendSuite } from '@q/conformance';
import { listQueues, rabbitVhost } from '@q/test-services';
import { amqpTransport } from '@q/transport-amqp';
import type { Worker } from '@q/worker';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { rpcBackend } from '../src/index.js';
import { attachedBackend, closeApps, makeApp, replyToOf, workerAnswersClient } from './support.js';

const vhost = await rabbitVhost('backend-rpc', 'backend-rpc');

describe.skipIf(!vhost)('rpc backend over RabbitMQ (vhost q-test-backend-rpc)', () => {
  const url = vhost?.url ?? '';
  afterAll(async () => {
    await vhost?.drop();
  });

  resultBackendSuite('rpc backend (amqp transport)', async () => attachedBackend(() => amqpTransport(url)), { replyTo: replyToOf });

  describe('with apps', () => {
    const workers: Worker[] = [];
    afterEach(async () => {
      await Promise.all(workers.splice(0).map((w) => w.stop({ graceful: false })));
      await closeApps();
    });

    it('declares the reply queue as Celery does: non-durable, auto-delete, x-expires 86400000, before the first task', async () => {
      const client = makeApp({ broker: amqpTransport(url), backend: rpcBackend(), task: { defaultQueue: 'rpc-declare' } });
      await client.sendTask('tasks.nobody-runs-this');
      const rows = listQueues(vhost?.name ?? '', ['name', 'durable', 'auto_delete', 'arguments']);
      const reply = rows.find((r) => r[0] === client.oid);
      expect(reply?.slice(1, 3)).toEqual(['false', 'true']);
      expect(reply?.[3]).toMatch(/x-expires.*86400000/);
      // a second declaration with Celery's flags is accepted (RabbitMQ would refuse different ones)
      await client.sendTask('tasks.nobody-runs-this');
    });

    it('app.close() rejects a get() waiting for its reply at once with Q_ERR_CONNECTION_LOST', async () => {
      const client = makeApp({ broker: amqpTransport(url), backend: rpcBackend() });
      const result = client.asyncResult('rpc-never-answered');
      expect(await result.state()).toBe('PENDING'); // the reply queue is consumed from here on
      const pending = result.get().then(() => null, (err: unknown) => err);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const t0 = Date.now();
      const closing = client.close();
      const error = await pending;
      expect(Date.now() - t0).toBeLessThan(200);
      expect(error).toMatchObject({ name: 'ConnectionError', code: 'Q_ERR_CONNECTION_LOST', message: `rpc backend is closed (reply queue ${client.oid})` });
      await closing;
    });

    it('a q worker answers a q client: results, typed failures and STARTED', async () => {
      const client = makeApp({ broker: amqpTransport(url), backend: rpcBackend() });
      const workerApp = makeApp({ broker: amqpTransport(url), backend: rpcBackend() });
      await workerAnswersClient(client, workerApp, workers, 'rpc-amqp@test');
    });
  });
});
