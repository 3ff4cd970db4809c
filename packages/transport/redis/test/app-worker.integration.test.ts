/** End to end: an app publishing through the Redis transport and a q worker consuming from it (db 1). */
import { createApp, memoryKeyValueDriver, silentLogger } from '@q/core';
import { REDIS, servicesAvailable } from '@q/test-services';
import { createWorker } from '@q/worker';
import { describe, expect, it, onTestFinished } from 'vitest';
import { qPlugin, redisTransport } from '../src/index.js';
import { URL1, flushDb1, rawClient, until } from './helpers.js';

const ok = await servicesAvailable('transport-redis', REDIS);

describe.skipIf(!ok)('app and worker over Redis', () => {
  const redis = rawClient();
  flushDb1(redis);

  it('runs tasks published with redisTransport() and leaves no bookkeeping behind', async () => {
    const backend = memoryKeyValueDriver({ namespace: `redis-e2e-${process.pid}-1` });
    const app = createApp({ name: 'e2e', broker: redisTransport(URL1), backend });
    onTestFinished(() => app.close());
    const add = app.task({ name: 'tasks.add' }, (a: number, b: number) => a + b);
    const worker = createWorker(app, { logger: silentLogger, hostname: 'redis1@test', concurrency: 4 });
    onTestFinished(() => worker.stop({ graceful: false }));
    await worker.start();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => add.delay(i, i)));
    expect(await Promise.all(results.map((r) => r.get({ timeout: 10 })))).toEqual(Array.from({ length: 20 }, (_, i) => 2 * i));
    await until(async () => (await redis.hlen('unacked')) === 0, 3000, 'acks');
    expect(await redis.llen('celery')).toBe(0);
    expect(await redis.sismember('_kombu.binding.celery', 'celery\x06\x16\x06\x16celery')).toBe(1);
  });

  it('resolves broker: "redis://…" through the plugin, and a warm stop requeues held ETA tasks', async () => {
    const backend = memoryKeyValueDriver({ namespace: `redis-e2e-${process.pid}-2` });
    const app = createApp({ name: 'e2e', broker: URL1, backend, plugins: [qPlugin] });
    onTestFinished(() => app.close());
    const mul = app.task({ name: 'tasks.mul' }, (a: number, b: number) => a * b);
    const worker = createWorker(app, { logger: silentLogger, hostname: 'redis2@test' });
    await worker.start();
    expect((await app.getTransport()).describe()).toContain('redis://127.0.0.1:6379/1');
    expect(await (await mul.delay(6, 7)).get({ timeout: 10 })).toBe(42);
    const later = await mul.applyAsync([2, 3], {}, { countdown: 60 });
    await until(async () => (await redis.hlen('unacked')) === 1, 3000, 'the ETA task held unacked');
    await worker.stop({ graceful: true });
    await app.close();
    const [requeued] = await redis.lrange('celery', 0, -1);
    const doc = JSON.parse(requeued ?? '{}') as { headers: { id: string; redelivered?: boolean } };
    expect(doc.headers).toMatchObject({ id: later.id, redelivered: true });
    expect(await redis.hlen('unacked')).toBe(0);
    await redis.del('celery');
  });
});
