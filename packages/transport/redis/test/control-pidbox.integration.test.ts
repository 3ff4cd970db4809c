/**
 * Remote control of a q worker over Redis (db 6 only: no other suite uses it): the worker binds `<node>.celery.pidbox` in
 * `_kombu.binding.celery.pidbox` and subscribes `/6.celery.pidbox`; a request PUBLISHed the way Python's kombu
 * does gets its reply LPUSHed to the requester's `<oid>.reply.celery.pidbox` list; `app.control` round trips work.
 */
import { randomUUID } from 'node:crypto';
import { createApp, memoryKeyValueDriver, silentLogger } from '@q/core';
import { REDIS, servicesAvailable } from '@q/test-services';
import { createWorker } from '@q/worker';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { redisTransport } from '../src/index.js';

const DB = 6;
const URL6 = `redis://127.0.0.1:6379/${DB}`;
const SEP = '\x06\x16';
const ok = await servicesAvailable('transport-redis', REDIS);

describe.skipIf(!ok)('remote control over Redis', () => {
  const redis = new Redis({ host: '127.0.0.1', port: 6379, db: DB, lazyConnect: true, maxRetriesPerRequest: 3 });
  beforeAll(async () => {
    await redis.connect();
    await redis.flushdb();
  });
  afterAll(async () => {
    await redis.flushdb();
    await redis.quit();
  });

  it('replies to a kombu-shaped request over PUBLISH/LPUSH, and to app.control', async () => {
    const app = createApp({ name: 'rc', broker: redisTransport(URL6), backend: memoryKeyValueDriver({ namespace: `redis-rc-${process.pid}` }) });
    onTestFinished(() => app.close());
    app.task({ name: 'tasks.add' }, (a: number, b: number) => a + b);
    const worker = createWorker(app, { logger: silentLogger, hostname: 'rc1@test', concurrency: 2 });
    onTestFinished(() => worker.stop({ graceful: false }));
    await worker.start();
    expect(await redis.sismember('_kombu.binding.celery.pidbox', `${SEP}${SEP}rc1@test.celery.pidbox`)).toBe(1);

    // As Python's `app.control.ping(reply=True)`: bind the reply queue, PUBLISH the request, BRPOP the reply.
    const oid = randomUUID();
    const ticket = randomUUID();
    await redis.sadd('_kombu.binding.reply.celery.pidbox', `${oid}${SEP}${SEP}${oid}.reply.celery.pidbox`);
    const body = { method: 'ping', arguments: {}, destination: null, pattern: null, matcher: null, ticket, reply_to: { exchange: 'reply.celery.pidbox', routing_key: oid } };
    const envelope = {
      body: Buffer.from(JSON.stringify(body)).toString('base64'),
      'content-encoding': 'utf-8',
      'content-type': 'application/json',
      headers: { clock: 7, expires: Date.now() / 1000 + 10 },
      properties: { delivery_mode: 2, delivery_info: { exchange: 'celery.pidbox', routing_key: '' }, priority: 0, body_encoding: 'base64', delivery_tag: randomUUID() },
    };
    expect(await redis.publish(`/${DB}.celery.pidbox`, JSON.stringify(envelope))).toBeGreaterThanOrEqual(1);
    const popped = await redis.brpop(`${oid}.reply.celery.pidbox`, 5);
    expect(popped).not.toBeNull();
    const reply = JSON.parse((popped as [string, string])[1]) as { body: string; headers: { ticket: string; clock: number }; properties: { delivery_mode: number; body_encoding: string } };
    expect(reply.headers.ticket).toBe(ticket);
    expect(reply.headers.clock).toBeGreaterThan(7);
    expect(reply.properties.delivery_mode).toBe(1);
    expect(JSON.parse(Buffer.from(reply.body, reply.properties.body_encoding === 'base64' ? 'base64' : 'utf8').toString())).toEqual({ 'rc1@test': { ok: 'pong' } });

    expect(await app.control.ping({ destination: ['rc1@test'] })).toEqual([{ 'rc1@test': { ok: 'pong' } }]);
    const stats = await app.control.inspect({ destination: ['rc1@test'] }).stats();
    expect(stats?.['rc1@test']).toMatchObject({ pid: process.pid, broker: { hostname: '127.0.0.1', port: 6379, virtual_host: String(DB), transport: 'redis' } });
    expect(typeof stats?.['rc1@test']?.clock).toBe('string');
    expect(await app.control.revoke('gone-1', { reply: true, destination: ['rc1@test'] })).toEqual([{ 'rc1@test': { ok: 'tasks gone-1 flagged as revoked' } }]);
    expect(worker.nodeState.isRevoked('gone-1')).toBe(true);
  });

  it('a starting worker mingles: it learns the revoked ids of the running one', async () => {
    const make = (name: string) => {
      const app = createApp({ name, broker: redisTransport(URL6), backend: null });
      onTestFinished(() => app.close());
      return app;
    };
    const first = createWorker(make('m1'), { logger: silentLogger, hostname: 'mg1@test' });
    onTestFinished(() => first.stop({ graceful: false }));
    await first.start();
    first.revoke(['m-1', 'm-2']);
    const second = createWorker(make('m2'), { logger: silentLogger, hostname: 'mg2@test' });
    onTestFinished(() => second.stop({ graceful: false }));
    await second.start();
    expect([...second.nodeState.revoked].sort()).toEqual(['m-1', 'm-2']);
  });
});
