/**
 * `app.close()` while an `AsyncResult.get()` is still subscribing (its SUBSCRIBE in flight, or the subscriber
 * connection still being made): the pending get() rejects at once with a typed error, and nothing is left running —
 * the process exits right away (it used to linger ~2 s on a timer ioredis leaves when a connection that is still
 * connecting is dropped) and no timer or socket stays behind in-process. Also: waits work again after the app
 * reconnects, and concurrent waits (several on one task) are still woken by the PUBLISH. A get() already subscribed
 * is woken too: `app.close()`, or a subscriber connection that ends for good, rejects it at once.
 *
 * The child-process checks run `test/fixtures/close-while-subscribing.ts`. Everything uses Redis database 14
 * (flushed before and after; only database 14).
 */
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConnectionError, createApp, memoryQueueDriver } from '@q/core';
import { activeHandles, REDIS, runTsFixture, servicesAvailable, type FixtureRun } from '@q/test-services';
import { createRedisClient } from '@q/redis-client';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisBackend } from '../src/index.js';

const DB = 14;
const URL_DB14 = `redis://127.0.0.1:6379/${DB}`;
const fixture = fileURLToPath(new URL('./fixtures/close-while-subscribing.ts', import.meta.url));

const ok = await servicesAvailable('backend-redis', REDIS);

/** FLUSHDB on database 14 only. */
async function flushDb14(): Promise<void> {
  const client = new Redis({ host: '127.0.0.1', port: 6379, db: DB, maxRetriesPerRequest: 1 });
  try {
    if (client.options.db !== DB) throw new Error(`refusing to flush a database other than ${DB}`);
    await client.flushdb();
  } finally {
    await client.quit();
  }
}

/** Resolves once Redis counts `subscribers` SUBSCRIBEs on `channel` (PUBSUB NUMSUB: channels are not per db). */
async function subscribed(channel: string, subscribers = 1): Promise<void> {
  const client = new Redis({ host: '127.0.0.1', port: 6379, db: DB, maxRetriesPerRequest: 1 });
  try {
    const deadline = Date.now() + 3000;
    for (;;) {
      const [, count] = (await client.pubsub('NUMSUB', channel)) as [string, number];
      if (Number(count) >= subscribers) return;
      if (Date.now() > deadline) throw new Error(`${channel}: not subscribed within 3 s`);
      await sleep(5);
    }
  } finally {
    await client.quit();
  }
}

/** What the child printed about its get(): settled, the error's name/code/retryable/message, close() time. */
type ChildReport = { settled: boolean; value?: unknown; error?: { name: string; code: string | null; retryable: unknown; message: string }; closeMs: number };

const runChild = (mode: string): Promise<FixtureRun<ChildReport>> => runTsFixture<ChildReport>(fixture, [URL_DB14, mode]);

describe.skipIf(!ok)('close() while a get() is subscribing (db 14)', () => {
  beforeAll(flushDb14);
  afterAll(flushDb14);

  for (const mode of ['same-tick', 'next-tick', 'on-connecting', 'on-connect', 'subscribing']) {
    it(`${mode}: the pending get() rejects with a typed error and the process exits at once`, async () => {
      const outcome = await runChild(mode);
      const context = JSON.stringify(outcome);
      expect(outcome.code, context).toBe(0);
      expect(outcome.stderr, context).toBe(''); // no unhandled rejection, no ioredis noise
      expect(outcome.report?.settled, context).toBe(true);
      expect(outcome.report?.error, context).toMatchObject({ name: 'ConnectionError', code: 'Q_ERR_CONNECTION_LOST' });
      expect(outcome.report?.error?.message, context).toMatch(/^redis backend redis:\/\/127\.0\.0\.1:6379\/14 is closed/);
      expect(outcome.report?.closeMs, context).toBeLessThan(500);
      expect(outcome.exitMs, context).not.toBeNull();
      expect(outcome.exitMs as number, context).toBeLessThan(1000);
    });
  }

  it('in-process: close() during the first subscribe leaves no timer or socket behind', async () => {
    await sleep(20);
    const before = activeHandles();
    // When to close: 0 or 1 turns after get() (subscriber made during close / connecting), or at its handshake.
    for (const when of [0, 1, 'connect'] as const) {
      let handshake: Promise<void> | null = null;
      const app = createApp({
        name: 'close-subscribe',
        broker: memoryQueueDriver({ namespace: `close-subscribe-${process.pid}` }),
        backend: redisBackend({
          url: URL_DB14,
          createClient: (role) => {
            const client = createRedisClient(URL_DB14, {}, role);
            if (role === 'subscriber') handshake = new Promise((resolve) => client.once('connect', () => resolve()));
            return client;
          },
        }),
      });
      await app.getBackend();
      const pending = app.asyncResult(`never-stored-${when}`).get().then(() => null, (err: unknown) => err);
      if (when === 'connect') {
        while (!handshake) await new Promise((resolve) => setImmediate(resolve));
        await handshake;
      } else if (when === 1) await new Promise((resolve) => setImmediate(resolve));
      await app.close();
      const error = await pending;
      expect(error, String(when)).toBeInstanceOf(ConnectionError);
      expect(error, String(when)).toMatchObject({ code: 'Q_ERR_CONNECTION_LOST', message: `redis backend ${URL_DB14} is closed` });
    }
    await sleep(20);
    expect(activeHandles(), String(process.getActiveResourcesInfo())).toBeLessThanOrEqual(before);
  });

  it('an app closed while a get() was subscribing waits for results again after it reconnects', async () => {
    const backend = redisBackend(URL_DB14);
    const app = createApp({ name: 'close-subscribe-reuse', broker: 'memory://close-subscribe-reuse', backend });
    try {
      await app.getBackend();
      const first = app.asyncResult('reuse-1').get().then(() => null, (err: unknown) => err);
      await new Promise((resolve) => setImmediate(resolve));
      await app.close();
      expect(await first).toBeInstanceOf(ConnectionError);

      const again = await app.getBackend();
      expect(again).toBe(backend);
      const second = app.asyncResult('reuse-2').get({ timeout: 5 }).catch((err: unknown) => err);
      await sleep(50);
      await backend.storeResult(
        { taskId: 'reuse-2', status: 'SUCCESS', result: 42, traceback: null, children: [], dateDone: '2026-01-01T00:00:00.000000' },
        { expiresMs: 60_000 },
      );
      expect(await second).toBe(42);
    } finally {
      await app.close();
    }
  });

  it('concurrent get()s (several on one task) are woken by the PUBLISH; close() afterwards leaves nothing', async () => {
    await sleep(20);
    const before = activeHandles();
    const backend = redisBackend(URL_DB14);
    const app = createApp({ name: 'close-subscribe-many', broker: 'memory://close-subscribe-many', backend });
    try {
      await app.getBackend();
      const ids = ['many-1', 'many-2', 'many-3', 'many-1', 'many-1', 'many-2'];
      const gets = ids.map((id) => app.asyncResult(id).get({ timeout: 5 }));
      await sleep(50); // all subscribed: the results arrive by pub/sub, not by the first read
      await Promise.all(
        ['many-1', 'many-2', 'many-3'].map((taskId, i) =>
          backend.storeResult(
            { taskId, status: 'SUCCESS', result: i + 1, traceback: null, children: [], dateDone: '2026-01-01T00:00:00.000000' },
            { expiresMs: 60_000 },
          ),
        ),
      );
      expect(await Promise.all(gets)).toEqual([1, 2, 3, 1, 1, 2]);
    } finally {
      await app.close();
    }
    await sleep(20);
    expect(activeHandles(), String(process.getActiveResourcesInfo())).toBeLessThanOrEqual(before);
  });

  it('app.close() rejects a get() that is already subscribed at once with Q_ERR_CONNECTION_LOST', async () => {
    const app = createApp({ name: 'close-subscribed', broker: 'memory://close-subscribed', backend: redisBackend(URL_DB14) });
    const taskId = `subscribed-${process.pid}-${Date.now()}`;
    try {
      await app.getBackend();
      const pending = app.asyncResult(taskId).get().then(() => null, (err: unknown) => err);
      await subscribed(`celery-task-meta-${taskId}`);
      const t0 = Date.now();
      await app.close();
      const error = await pending;
      expect(Date.now() - t0).toBeLessThan(200);
      expect(error).toBeInstanceOf(ConnectionError);
      expect(error).toMatchObject({ code: 'Q_ERR_CONNECTION_LOST', retryable: true, message: `redis backend ${URL_DB14} is closed` });
    } finally {
      await app.close();
    }
  });

  it('a subscriber connection that ends for good rejects the subscribed get()s; the next get() subscribes anew', async () => {
    const name = `q-test-lost-${process.pid}-${Date.now()}`;
    const backend = redisBackend({
      url: URL_DB14,
      createClient: (role) => {
        if (role !== 'subscriber') return createRedisClient(URL_DB14, {}, role);
        const client = createRedisClient(URL_DB14, { clientName: name }, role);
        client.options.retryStrategy = () => null; // gives up at the first disconnect
        return client;
      },
    });
    const app = createApp({ name: 'close-subscribe-lost', broker: 'memory://close-subscribe-lost', backend });
    const taskId = `lost-${process.pid}-${Date.now()}`;
    const admin = new Redis({ host: '127.0.0.1', port: 6379, db: DB, maxRetriesPerRequest: 1 });
    try {
      await app.getBackend();
      const pending = app.asyncResult(taskId).get({ timeout: 10 }).then(() => null, (err: unknown) => err);
      await subscribed(`celery-task-meta-${taskId}`);
      const list = (await admin.client('LIST')) as string;
      const id = list.split('\n').find((line) => line.includes(` name=${name} `))?.match(/^id=(\d+) /)?.[1];
      expect(id, list).toBeDefined();
      const t0 = Date.now();
      await admin.client('KILL', 'ID', id as string);
      const error = await pending;
      expect(Date.now() - t0).toBeLessThan(500);
      expect(error).toBeInstanceOf(ConnectionError);
      expect(error).toMatchObject({ code: 'Q_ERR_CONNECTION_LOST', message: `redis backend ${URL_DB14}: the subscriber connection ended` });

      const again = app.asyncResult(taskId).get({ timeout: 5 });
      await subscribed(`celery-task-meta-${taskId}`);
      await backend.storeResult(
        { taskId, status: 'SUCCESS', result: 'after', traceback: null, children: [], dateDone: '2026-01-01T00:00:00.000000' },
        { expiresMs: 60_000 },
      );
      expect(await again).toBe('after');
    } finally {
      await admin.quit();
      await app.close();
    }
  });
});
