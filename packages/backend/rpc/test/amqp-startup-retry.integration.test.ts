/**
 * Start-up with RabbitMQ down (Celery's `broker_connection_retry_on_startup`), with `amqp://` and `rpc://` as a
 * user configures them: a worker started before the broker retries (per `connectionMaxRetries`) instead of
 * failing, connects once the broker is up, and a client whose first connect failed connects on its next use,
 * sends a task and gets its result over its reply queue. With a small `connectionMaxRetries` and no broker at all,
 * start-up fails with a typed, retryable connection error in bounded time and leaves no socket or timer behind.
 *
 * Lives here, not in `@q/transport-amqp`, because this package has both the transport and the backend
 * (`@q/transport-amqp` cannot depend on `@q/backend-rpc`, which depends on it). The broker is a PRIVATE RabbitMQ
 * node (`privateNode` of `@q/test-services`: its own ports, data and cookie in a temp dir), created on a port
 * chosen in advance but booted only after the worker has started retrying; one node for the file, stopped and
 * removed in afterAll. The machine's shared RabbitMQ is never touched.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type AppOptions, ConnectionError, createApp, silentLogger } from '@q/core';
import { activeHandles, freePort, missingRabbitmqServer, privateNode, rabbitmqBinDir, recordingLogger, runsHere, type PrivateNode } from '@q/test-services';
import { qPlugin as amqpPlugin } from '@q/transport-amqp';
import { createWorker } from '@q/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qPlugin as rpcPlugin } from '../src/index.js';

const binDir = rabbitmqBinDir();
const runs = runsHere('backend-rpc amqp start-up retry', [missingRabbitmqServer()]);

/** An app as a user configures it: broker and backend URLs (the packages' plugins given, as `q` would load them). */
function options(name: string, broker: string, more: Partial<AppOptions> = {}): AppOptions {
  return { name, broker, backend: 'rpc://', plugins: [amqpPlugin, rpcPlugin], ...more };
}

describe.skipIf(!runs)('amqp:// + rpc://: start-up while RabbitMQ is down', () => {
  let node: PrivateNode | undefined;

  beforeAll(async () => {
    node = await privateNode('q-rpc-startup', binDir ?? ''); // its ports are chosen; it is not booted yet
  });
  afterAll(async () => {
    await node?.destroy();
  });

  it('a worker started before RabbitMQ connects once it is up; a client sends a task and gets its result', async () => {
    const broker = node as PrivateNode;
    const workerLog = recordingLogger();
    const app = createApp(options('startup-worker', broker.url, { logger: workerLog }));
    app.task('startup.add', (a: number, b: number) => a + b);
    // The client does not retry: its first connect fails, and its next use must connect for real.
    const client = createApp(options('startup-client', broker.url, { brokerOptions: { connectionRetry: false } }));
    const worker = createWorker(app, { hostname: 'startup@test', concurrency: 2, closeApp: true });
    const started = worker.start();
    let startError: unknown = null;
    started.catch((err: unknown) => (startError = err));
    try {
      const failed = await client.connect().then(() => null, (err: unknown) => err);
      expect(failed).toBeInstanceOf(ConnectionError);
      expect(failed).toMatchObject({ code: 'Q_ERR_CONNECTION_FAILED', retryable: true });

      await sleep(1500);
      expect(startError).toBeNull(); // still retrying, not failed
      const retries = workerLog.lines.filter((l) => l.level === 'warn' && l.msg.startsWith('cannot connect to amqp://'));
      expect(retries.length).toBeGreaterThanOrEqual(3);

      await broker.start();
      // The next attempt after the broker is up connects (the longest wait between attempts is 5 s).
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<string>((resolve) => (timer = setTimeout(resolve, 8000, 'late')));
      expect(await Promise.race([started.then(() => 'started'), late])).toBe('started');
      clearTimeout(timer);

      const result = await client.sendTask<number>('startup.add', [2, 3]);
      expect(await result.get({ timeout: 20 })).toBe(5);
    } finally {
      await worker.stop({ graceful: true });
      await client.close();
    }
  }, 40_000);

  it('with RabbitMQ never up and connectionMaxRetries 2, start-up fails with a typed error and leaves nothing running', async () => {
    const url = `amqp://guest:guest@127.0.0.1:${await freePort()}//`; // nothing listens there
    const before = activeHandles();
    const conf = { brokerOptions: { connectionMaxRetries: 2 } };

    const client = createApp(options('startup-never-client', url, conf));
    const t0 = Date.now();
    const connectError = await client.connect().then(() => null, (err: unknown) => err);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(connectError).toBeInstanceOf(ConnectionError);
    expect(connectError).toMatchObject({ code: 'Q_ERR_CONNECTION_FAILED', retryable: true });
    expect((connectError as ConnectionError).message).toMatch(/ECONNREFUSED/);
    await client.close();

    // A worker: start() rejects with the connection error once the retries are spent, no hang.
    const app = createApp(options('startup-never-worker', url, conf));
    app.task('startup.never', () => 1);
    const worker = createWorker(app, { logger: silentLogger, hostname: 'startup-never@test', closeApp: true });
    const t1 = Date.now();
    const startError = await worker.start().then(() => null, (err: unknown) => err);
    expect(Date.now() - t1).toBeLessThan(5000);
    expect(startError).toBeInstanceOf(ConnectionError);
    expect(startError).toMatchObject({ code: 'Q_ERR_CONNECTION_FAILED', retryable: true });
    await worker.stop({ graceful: false });
    await app.close();

    await sleep(50);
    expect(activeHandles()).toBeLessThanOrEqual(before);
  }, 15_000);
});
