/** Byte-level checks against the captured Python traces: what q writes to Redis is what kombu writes. */
import { VECTORS_DIR } from '@q/test-services';
import { readFileSync } from 'node:fs';
import { decodeEnvelope, markRedelivered, pyJsonStringify, type Delivery, type Message } from '@q/core/adapter';
import { REDIS, servicesAvailable } from '@q/test-services';
import { describe, expect, it, onTestFinished } from 'vitest';
import { redisQueueDriver, redisTransport, type RedisTransportOptions } from '../src/index.js';
import { URL1, flushDb1, rawClient, sleep, until } from './helpers.js';

const ok = await servicesAvailable('transport-redis', REDIS);
const VECTORS = VECTORS_DIR.replace(/\/$/, '');
const RAW = readFileSync(`${VECTORS}/redis-envelope-add.raw.txt`, 'utf8').trim();
const SEP = '\x06\x16';

type Json = Record<string, unknown>;
/** The key structure of a JSON document (names in order, recursively), values ignored. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(shape);
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)]));
  return typeof v;
}

describe.skipIf(!ok)('redis wire format (vectors)', () => {
  const redis = rawClient();
  flushDb1(redis);

  async function transport(options: RedisTransportOptions = {}) {
    const t = redisTransport({ url: URL1, ...options });
    await t.connect();
    onTestFinished(() => t.close());
    return t;
  }

  async function driver() {
    const d = redisQueueDriver(URL1);
    await d.connect();
    onTestFinished(() => d.close());
    return d;
  }

  it('LPUSHes the envelope Python LPUSHes, byte for byte (redis-envelope-add.raw.txt)', async () => {
    const t = await transport();
    const { message } = decodeEnvelope(RAW);
    await redis.del('celery');
    await t.publish(message, { exchange: '', routingKey: 'celery' });
    const [stored] = await redis.lrange('celery', 0, -1);
    const tag = (JSON.parse(stored ?? '{}') as { properties: { delivery_tag: string } }).properties.delivery_tag;
    expect(tag).toMatch(/^[0-9a-f-]{36}$/);
    const pythonTag = (JSON.parse(RAW) as { properties: { delivery_tag: string } }).properties.delivery_tag;
    expect(stored?.replace(tag, pythonTag)).toBe(RAW);
    await redis.del('celery');
  });

  it('writes unacked as [envelope, exchange, routing_key] and unacked_index as epoch seconds (redis-unacked-hash-value.json)', async () => {
    const d = await driver();
    await redis.lpush('celery', RAW);
    const before = Date.now() / 1000;
    const [lease] = await d.reserve(['celery'], { max: 1, waitMs: 0 });
    expect(lease?.payload).toBe(RAW);
    const tag = lease?.tag ?? '';
    const value = await redis.hget('unacked', tag);
    expect(value).toBe(`[${RAW}, "", "celery"]`);
    expect(value).toBe(pyJsonStringify([JSON.parse(RAW), '', 'celery']));
    const vector = JSON.parse(readFileSync(`${VECTORS}/redis-unacked-hash-value.json`, 'utf8')) as unknown;
    expect(shape(JSON.parse(value ?? 'null'))).toEqual(shape(vector));
    const score = Number(await redis.zscore('unacked_index', tag));
    expect(score).toBeGreaterThanOrEqual(before - 1);
    expect(score).toBeLessThan(Date.now() / 1000 + 1);
    if (lease) await d.ack(lease);
    expect(await redis.hexists('unacked', tag)).toBe(0);
    expect(await redis.zscore('unacked_index', tag)).toBeNull();
  });

  it('writes exchange and routing key as JSON strings even when they need escaping', async () => {
    const d = await driver();
    const env = JSON.parse(RAW) as { properties: { delivery_info: Json; delivery_tag: string } };
    env.properties.delivery_info = { exchange: 'ex"\\\n\u0001', routing_key: 'r/k' };
    env.properties.delivery_tag = 'escape-tag';
    await redis.lpush('esc', pyJsonStringify(env));
    const [lease] = await d.reserve(['esc'], { max: 1, waitMs: 0 });
    const value = await redis.hget('unacked', 'escape-tag');
    expect(value).toBe(pyJsonStringify([env, 'ex"\\\n\u0001', 'r/k']));
    expect(JSON.parse(value ?? 'null')).toEqual([env, 'ex"\\\n\u0001', 'r/k']);
    if (lease) await d.ack(lease);
  });

  it('reads the tag from properties even when a header or the spacing defeats the fast scan', async () => {
    const d = await driver();
    const env = JSON.parse(RAW) as { headers: Json; properties: { delivery_info: Json; delivery_tag: string } };
    env.headers = { ...(env.headers as Record<string, Json>), delivery_tag: 'header-tag', delivery_info: { exchange: 'hx', routing_key: 'hr' } };
    env.properties.delivery_info = { exchange: 'ex', routing_key: 'rk', redelivered: true };
    env.properties.delivery_tag = 'props-tag';
    const compact = JSON.stringify({ ...env, headers: {}, properties: { ...env.properties, delivery_tag: 'compact-tag' } });
    await redis.lpush('scan', pyJsonStringify(env), compact);
    const leases = await d.reserve(['scan'], { max: 2, waitMs: 0 });
    expect(leases.map((l) => l.tag)).toEqual(['props-tag', 'compact-tag']);
    expect(await redis.hget('unacked', 'props-tag')).toBe(pyJsonStringify([env, 'ex', 'rk']));
    expect(await redis.hget('unacked', 'compact-tag')).toBe(`[${compact}, "ex", "rk"]`);
    expect(await redis.hexists('unacked', 'header-tag')).toBe(0);
    for (const lease of leases) await d.ack(lease);
  });

  it('scores a message taken after a blocking wait by the time it was taken, not when the wait began', async () => {
    const d = await driver();
    const waiting = d.reserve(['late'], { max: 5, waitMs: 3000 });
    await new Promise((r) => setTimeout(r, 300));
    const pushedAt = Date.now() / 1000;
    await redis.lpush('late', RAW.replace(/"delivery_tag": "[^"]+"/, '"delivery_tag": "late-tag"'));
    const leases = await waiting;
    expect(leases.map((l) => l.tag)).toEqual(['late-tag']);
    expect(Number(await redis.zscore('unacked_index', 'late-tag'))).toBeGreaterThanOrEqual(pushedAt - 0.05);
    for (const lease of leases) await d.ack(lease);
  });

  it('restores with RPUSH and both redelivered flags, as Python requeues on shutdown (redis-requeued-on-shutdown.json)', async () => {
    const d = await driver();
    await redis.lpush('celery', RAW);
    await redis.lpush('celery', RAW.replace('"(2, 3)"', '"(4, 5)"').replace(/"delivery_tag": "[^"]+"/, '"delivery_tag": "other-tag"'));
    const [lease] = await d.reserve(['celery'], { max: 1, waitMs: 0 });
    if (!lease) throw new Error('nothing reserved');
    await d.release(lease);
    // RPUSH: the restored message is at the consuming end, delivered next.
    const tail = await redis.lindex('celery', -1);
    expect(tail).toBe(markRedelivered(RAW));
    const doc = JSON.parse(tail ?? '{}') as { headers: Json; properties: { delivery_info: Json } };
    expect(doc.headers.redelivered).toBe(true);
    expect(doc.properties.delivery_info).toEqual({ exchange: '', routing_key: 'celery', redelivered: true });
    const vector = JSON.parse(readFileSync(`${VECTORS}/redis-requeued-on-shutdown.json`, 'utf8')) as { headers: Json; properties: Json };
    expect(Object.keys(doc.headers)).toEqual(Object.keys(vector.headers));
    expect(shape(doc.properties)).toEqual(shape(vector.properties));
    expect(await redis.hlen('unacked')).toBe(0);
    await redis.del('celery');
  });

  it('puts priorities in the lists Python used (redis-priority-list-keys.json)', async () => {
    const t = await transport();
    const rows = JSON.parse(readFileSync(`${VECTORS}/redis-priority-list-keys.json`, 'utf8')) as { list_key: string; 'properties.priority': number }[];
    const { message } = decodeEnvelope(RAW);
    for (const row of rows) {
      await t.publish({ ...message, properties: { ...message.properties, priority: row['properties.priority'] } }, { exchange: '', routingKey: 'celery' });
    }
    const expected = new Map<string, number>();
    for (const row of rows) expected.set(row.list_key, (expected.get(row.list_key) ?? 0) + 1);
    for (const [key, count] of expected) expect(await redis.llen(key)).toBe(count);
    for (const key of expected.keys()) {
      for (const item of await redis.lrange(key, 0, -1)) {
        const p = (JSON.parse(item) as { properties: { priority: number } }).properties.priority;
        expect(rows.find((r) => r['properties.priority'] === p)?.list_key).toBe(key);
      }
    }
    await redis.del(...expected.keys());
  });

  it('writes the binding set members Python writes (redis-bindings-and-subscriptions.txt)', async () => {
    const t = await transport();
    await t.declareExchange({ name: 'celery', type: 'direct', durable: true, autoDelete: false });
    await t.bindQueue({ queue: 'celery', exchange: 'celery', routingKey: 'celery' });
    await t.declareExchange({ name: 'celery.pidbox', type: 'fanout', durable: false, autoDelete: false });
    await t.bindQueue({ queue: 'w1@cap.celery.pidbox', exchange: 'celery.pidbox', routingKey: '' });
    expect(await redis.smembers('_kombu.binding.celery')).toEqual([`celery${SEP}${SEP}celery`]);
    expect(await redis.smembers('_kombu.binding.celery.pidbox')).toEqual([`${SEP}${SEP}w1@cap.celery.pidbox`]);
    const trace = readFileSync(`${VECTORS}/redis-bindings-and-subscriptions.txt`, 'utf8').replace(/\\\\x06\\\\x16/g, SEP);
    expect(trace).toContain(`"SADD" "_kombu.binding.celery" "celery${SEP}${SEP}celery"`);
    expect(trace).toContain(`"SADD" "_kombu.binding.celery.pidbox" "${SEP}${SEP}w1@cap.celery.pidbox"`);
  });

  it('PUBLISHes fanout on /<db>.<exchange>[/<routing key>] and PSUBSCRIBEs with # as *', async () => {
    const t = await transport();
    const spy = redis.duplicate();
    onTestFinished(() => void spy.disconnect());
    const seen: string[] = [];
    spy.on('pmessage', (_p: string, channel: string) => seen.push(channel));
    await spy.psubscribe('/1.*');
    await t.declareExchange({ name: 'celeryev', type: 'fanout', durable: true, autoDelete: false });
    await t.declareExchange({ name: 'celery.pidbox', type: 'fanout', durable: false, autoDelete: false });
    const { message } = decodeEnvelope(RAW);
    await t.publish(message, { exchange: 'celeryev', routingKey: 'task.multi' });
    await t.publish(message, { exchange: 'celery.pidbox', routingKey: '' });
    await until(() => seen.length === 2, 3000, 'two fanout messages');
    expect(seen).toEqual(['/1.celeryev/task.multi', '/1.celery.pidbox']);

    // A queue bound with worker.# receives /1.celeryev/worker.*, not /1.celeryev/task.*.
    await t.bindQueue({ queue: 'celeryev.x', exchange: 'celeryev', routingKey: 'worker.#' });
    const got: Delivery[] = [];
    await t.consume('celeryev.x', (d) => void got.push(d), { prefetch: 0 });
    expect(await redis.call('PUBSUB', 'NUMPAT')).toBeGreaterThanOrEqual(2);
    await redis.publish('/1.celeryev/task.sent', RAW);
    await redis.publish('/1.celeryev/worker.heartbeat', RAW);
    await until(() => got.length === 1, 3000, 'the heartbeat');
    await sleep(50);
    expect(got).toHaveLength(1);
    expect(got[0]?.message.headers['task']).toBe('capapp.add');
  });

  it('prefixes every key and channel with global_keyprefix', async () => {
    const t = await transport({ transportOptions: { global_keyprefix: 'pfx:' } });
    const spy = redis.duplicate();
    onTestFinished(() => void spy.disconnect());
    const seen: string[] = [];
    spy.on('pmessage', (_p: string, channel: string) => seen.push(channel));
    await spy.psubscribe('pfx:*');
    const { message } = decodeEnvelope(RAW);
    await t.declareExchange({ name: 'ex', type: 'direct', durable: true, autoDelete: false });
    await t.bindQueue({ queue: 'pq', exchange: 'ex', routingKey: 'pq' });
    await t.publish(message, { exchange: 'ex', routingKey: 'pq' });
    await t.declareExchange({ name: 'fx', type: 'fanout', durable: true, autoDelete: false });
    await t.publish(message, { exchange: 'fx', routingKey: '' });
    expect(await redis.llen('pfx:pq')).toBe(1);
    expect(await redis.scard('pfx:_kombu.binding.ex')).toBe(1);
    const got: Message[] = [];
    await t.consume('pq', (d) => void got.push(d.message), { prefetch: 1 });
    await until(() => got.length === 1, 3000, 'the prefixed message');
    expect(await redis.hlen('pfx:unacked')).toBe(1);
    expect(await redis.zcard('pfx:unacked_index')).toBe(1);
    expect(await redis.exists('unacked')).toBe(0);
    await until(() => seen.length === 1, 3000, 'prefixed channel');
    expect(seen).toEqual(['pfx:/1.fx']);
  });
});
