/**
 * `rpc://` results between Python Celery 5.2.6 and q, over the Redis broker (db 10, flushed before and after; the
 * ledger of `tasks.record` is db 10 too, unused here) and over RabbitMQ (vhost `q-test-e2e-rpc`, dropped after).
 * With `rpc://` a result is a message to the caller's reply queue (its oid) through the default exchange — on Redis
 * kombu turns it into an LPUSH on the list of that name — so a Python client reads what a q worker sends, and a q
 * client what a Python worker sends. The q side runs in this process, with the typed adapters.
 */
import { createApp, RemoteError, silentLogger } from '@q/core';
import type { App, Transport } from '@q/core';
import { rpcBackend } from '@q/backend-rpc';
import { amqpTransport } from '@q/transport-amqp';
import { redisTransport } from '@q/transport-redis';
import { createWorker } from '@q/worker';
import type { Worker } from '@q/worker';
import { REDIS, pythonCelery, rabbitVhost, servicesAvailable } from '@q/test-services';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interopLedger, registerInteropTasks } from '../apps/interop-tasks.js';
import type { Ledger } from '../apps/interop-tasks.js';
import { stopAll } from './support/managed-process.js';
import { PythonClient, expectOk, startPythonWorker } from './support/python-celery.js';
import type { InteropEnv } from './support/python-celery.js';

const URL10 = 'redis://127.0.0.1:6379/10';

const ok = await servicesAvailable('rpc interop', REDIS);
const py = ok ? pythonCelery('rpc interop') : null;
const vhost = ok && py ? await rabbitVhost('rpc interop', 'e2e-rpc') : null;

/** Keys a key-value result backend would have written in db 10 (none: the results travelled as messages). */
async function storedResultKeys(): Promise<string[]> {
  const client = new Redis(URL10, { maxRetriesPerRequest: 2 });
  try {
    return await client.keys('celery-task-meta-*');
  } finally {
    await client.quit();
  }
}

async function flushDb10(): Promise<void> {
  const client = new Redis(URL10, { maxRetriesPerRequest: 2 });
  try {
    if (client.options.db !== 10) throw new Error('refusing to flush a database other than 10');
    await client.flushdb();
  } finally {
    await client.quit();
  }
}

/** Both directions over one broker: Python connects to `broker`, the q side to what `transport()` makes. */
function interopSuite(broker: string, transport: () => Transport): void {
  const urls: InteropEnv = { broker, backend: 'rpc://', ledger: URL10 };

  describe('a Python client, a q worker', () => {
    let client: PythonClient;
    let app: App;
    let worker: Worker;
    let ledger: Ledger;

    beforeAll(async () => {
      ledger = interopLedger('q', URL10);
      app = createApp({ name: 'interop', broker: transport(), backend: rpcBackend() });
      registerInteropTasks(app, ledger);
      worker = createWorker(app, { logger: silentLogger, hostname: 'q-rpc@test' });
      await worker.start();
      client = new PythonClient(py ?? '', urls);
    }, 40_000);

    afterAll(async () => {
      await client?.process.stop();
      await worker?.stop({ graceful: true });
      await ledger?.close();
    });

    it("Python's .get() receives the result the q worker sends to its reply queue", async () => {
      expect(expectOk(await client.call('tasks.add', [2, 3])).value).toBe(5);
      expect(expectOk(await client.call('tasks.echo', ['é', [1]], { k: null })).value).toEqual({ args: ['é', [1]], kwargs: { k: null } });
    });

    it('a failure raised by the q worker is the exception Python raises', async () => {
      expect(await client.call('tasks.fail', ['bad input'])).toMatchObject({ ok: false, exc_type: 'ValueError', exc_module: 'builtins', message: 'bad input' });
    });

    it('RETRY states are sent too; Python ends with the final SUCCESS', async () => {
      expect(expectOk(await client.call('tasks.flaky', [2]))).toMatchObject({ value: 2, state: 'SUCCESS' });
      expect(await storedResultKeys()).toEqual([]);
    });
  });

  describe('a q client, a Python worker', () => {
    let app: App;

    beforeAll(async () => {
      app = createApp({ name: 'q-rpc-client', broker: transport(), backend: rpcBackend() });
      await startPythonWorker(py ?? '', urls, { hostname: 'py-rpc@%h' });
    }, 40_000);

    afterAll(async () => {
      await stopAll();
      await app?.close();
    });

    it("q's get() receives the result the Python worker sends to the q client's reply queue", async () => {
      const results = await Promise.all([app.sendTask('tasks.add', [2, 3]), app.sendTask('tasks.mul', [6, 7])]);
      expect(await Promise.all(results.map((r) => r.get({ timeout: 15 })))).toEqual([5, 42]);
    });

    it('a Python failure is a RemoteError with the Python type, message and traceback', async () => {
      const err = await (await app.sendTask('tasks.fail', ['it broke'])).get({ timeout: 15 }).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(RemoteError);
      expect(err).toMatchObject({ excType: 'ValueError', excModule: 'builtins', excArgs: ['it broke'] });
      expect((err as RemoteError).remoteTraceback).toMatch(/ValueError: it broke/);
    });

    it('a task retried by Python ends in SUCCESS on the q side', async () => {
      expect(await (await app.sendTask('tasks.flaky', [2])).get({ timeout: 15 })).toBe(2);
      expect(await storedResultKeys()).toEqual([]);
    });
  });
}

describe.skipIf(!ok || !py)('rpc:// interop with Python Celery', () => {
  beforeAll(flushDb10);
  afterAll(async () => {
    await stopAll();
    await flushDb10();
    await vhost?.drop();
  });

  describe('over Redis (db 10)', () => {
    interopSuite(URL10, () => redisTransport(URL10));
  });

  describe.skipIf(!vhost)('over RabbitMQ (vhost q-test-e2e-rpc)', () => {
    interopSuite(vhost?.url ?? '', () => amqpTransport(vhost?.url ?? ''));
  });
});
