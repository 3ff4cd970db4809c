/**
 * Start-up with Redis down (Celery's `broker_connection_retry_on_startup`): a worker and a client started before
 * Redis is up connect once it is, run a task and store and read its result; an app whose first connect failed
 * connects on its next use; and with a small `connectionMaxRetries` and no Redis at all, start-up fails with a
 * typed, retryable connection error in bounded time and leaves no connection or timer behind.
 *
 * Lives here, not in `@q/transport-redis`, because this package has both the transport and the backend. It starts
 * its OWN redis-server (`privateRedis` of `@q/test-services`) on a free port; the shared Redis is
 * never touched. The server is stopped in afterAll.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConnectionError, createApp, silentLogger } from '@q/core';
import { activeHandles, freePort, missingRedisServer, privateRedis, runsHere, type PrivateRedis } from '@q/test-services';
import { redisTransport } from '@q/transport-redis';
import { createWorker } from '@q/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisBackend } from '../src/index.js';

const runs = runsHere('backend-redis start-up retry', [missingRedisServer()]);

describe.skipIf(!runs)('start-up while Redis is down', () => {
  let dir: string;
  let server: PrivateRedis | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'q-redis-startup-'));
    server = privateRedis(await freePort(), dir);
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a worker and a client started before Redis connect once it is up, run a task and read its result', async () => {
    const redis = server as PrivateRedis;
    const url = `redis://127.0.0.1:${redis.port}/0`;
    const app = createApp({ name: 'startup', broker: redisTransport({ url }), backend: redisBackend(url) });
    app.task('startup.add', (a: number, b: number) => a + b);
    // The client does not retry: its first connect fails, and its next use must connect for real.
    const client = createApp({
      name: 'startup-client',
      broker: redisTransport({ url }),
      backend: redisBackend(url),
      brokerOptions: { connectionRetry: false },
    });
    const worker = createWorker(app, { logger: silentLogger, concurrency: 2, closeApp: true });
    const started = worker.start();
    let startError: unknown = null;
    started.catch((err: unknown) => (startError = err));
    try {
      const failed = await client.connect().then(() => null, (err: unknown) => err);
      expect(failed).toBeInstanceOf(ConnectionError);
      expect((failed as ConnectionError).retryable).toBe(true);

      await sleep(1500);
      expect(startError).toBeNull(); // still retrying, not failed
      await redis.start();
      await started;

      const result = await client.sendTask<number>('startup.add', [2, 3]);
      expect(await result.get({ timeout: 10 })).toBe(5);
      // The client's backend connected for real: it reads what the worker stored, by id.
      expect(await client.asyncResult(result.id).get({ timeout: 5 })).toBe(5);
    } finally {
      await worker.stop({ graceful: true });
      await client.close();
    }
  }, 15_000);

  it('with Redis never up and connectionMaxRetries 2, start-up fails with a typed error and leaves nothing running', async () => {
    const url = `redis://127.0.0.1:${await freePort()}/0`; // nothing listens there
    const before = activeHandles();
    const conf = { brokerOptions: { connectionMaxRetries: 2 } };

    // The backend alone: each retry is a real attempt, so it runs out of retries instead of "connecting".
    const backendOnly = createApp({ name: 'startup-backend', broker: 'memory://startup-backend', backend: redisBackend(url), ...conf });
    const backendError = await backendOnly.getBackend().then(() => null, (err: unknown) => err);
    expect(backendError).toBeInstanceOf(ConnectionError);
    expect((backendError as ConnectionError).retryable).toBe(true);
    await backendOnly.close();

    // The transport alone, the same.
    const brokerOnly = createApp({ name: 'startup-broker', broker: redisTransport({ url }), backend: null, ...conf });
    const t0 = Date.now();
    const brokerError = await brokerOnly.getTransport().then(() => null, (err: unknown) => err);
    expect(brokerError).toBeInstanceOf(ConnectionError);
    expect((brokerError as ConnectionError).message).toMatch(/ECONNREFUSED/);
    expect(Date.now() - t0).toBeLessThan(3000);
    await brokerOnly.close();

    // A worker: start() rejects with the connection error once the retries are spent, no hang.
    const app = createApp({ name: 'startup-never', broker: redisTransport({ url }), backend: redisBackend(url), ...conf });
    app.task('startup.never', () => 1);
    const worker = createWorker(app, { logger: silentLogger, closeApp: true });
    const t1 = Date.now();
    const startError = await worker.start().then(() => null, (err: unknown) => err);
    expect(startError).toBeInstanceOf(ConnectionError);
    expect(startError).toMatchObject({ code: 'Q_ERR_CONNECTION_LOST', retryable: true });
    expect(Date.now() - t1).toBeLessThan(3000);
    await worker.stop({ graceful: false });
    await app.close();

    await sleep(50);
    expect(activeHandles()).toBeLessThanOrEqual(before);
  }, 10_000);
});
