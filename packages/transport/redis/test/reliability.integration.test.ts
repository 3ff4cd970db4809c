/**
 * Batch reserve, BRPOP bookkeeping, visibility restore, requeue on close, lease renewal (ETA longer than the
 * visibility timeout, kombu issue 337) and reconnection after CLIENT KILL, against the live Redis (db 1).
 */
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { kombuEnvelope } from '@q/conformance';
import type { Transport } from '@q/core';
import type { Delivery, Lease } from '@q/core/adapter';
import { REDIS, servicesAvailable } from '@q/test-services';
import { describe, expect, it, onTestFinished } from 'vitest';
import { redisQueueDriver, redisTransport, type RedisQueueDriverOptions, type RedisTransportOptions } from '../src/index.js';
import { URL1, flushDb1, killClients, message, rawClient, sleep, text, uniqueClientName, until } from './helpers.js';

const ok = await servicesAvailable('transport-redis', REDIS);

let n = 0;
const queueName = (label: string): string => `rel-${label}-${++n}-${process.pid}`;

describe.skipIf(!ok)('redis reliability', () => {
  const redis = rawClient();
  flushDb1(redis);

  async function driver(options: RedisQueueDriverOptions = {}) {
    const d = redisQueueDriver({ url: URL1, ...options });
    await d.connect();
    onTestFinished(() => d.close());
    return d;
  }

  async function transport(options: RedisTransportOptions = {}): Promise<Transport> {
    const t = redisTransport({ url: URL1, ...options });
    await t.connect();
    onTestFinished(() => t.close());
    return t;
  }

  const put = (queue: string, count: number, from = 0) =>
    redis.lpush(queue, ...Array.from({ length: count }, (_, i) => kombuEnvelope({ body: `m${from + i}`, tag: `${queue}-t${from + i}`, routingKey: queue })));

  it('reserves a batch in one call and records every lease in unacked/unacked_index', async () => {
    const d = await driver();
    const q = queueName('batch');
    await put(q, 50);
    const leases = await d.reserve([q], { max: 20, waitMs: 0 });
    expect(leases.map((l) => l.tag)).toEqual(Array.from({ length: 20 }, (_, i) => `${q}-t${i}`));
    expect(await redis.llen(q)).toBe(30);
    expect(await redis.hlen('unacked')).toBe(20);
    expect(await redis.zcard('unacked_index')).toBe(20);
    await Promise.all(leases.map((l) => d.ack(l)));
    expect(await redis.hlen('unacked')).toBe(0);
    expect(await redis.zcard('unacked_index')).toBe(0);
    await redis.del(q);
  });

  it('a message with an empty delivery_tag is handed out unrecorded, so nothing stays in unacked', async () => {
    const d = await driver();
    const q = queueName('emptytag');
    await redis.lpush(q, kombuEnvelope({ body: 'm', tag: '', routingKey: q }));
    const [lease] = await d.reserve([q], { max: 1, waitMs: 0 });
    expect(lease?.tag).toBe('');
    expect(await redis.hlen('unacked')).toBe(0);
    expect(await redis.zcard('unacked_index')).toBe(0);
    if (lease) await d.ack(lease);
    expect(await redis.llen(q)).toBe(0);
  });

  it('with ack_emulation off, reserve writes no bookkeeping and release still requeues at the consuming end', async () => {
    const d = await driver({ transportOptions: { ack_emulation: false } });
    const q = queueName('noack');
    await put(q, 2);
    const [lease] = await d.reserve([q], { max: 1, waitMs: 0 });
    if (!lease) throw new Error('nothing reserved');
    expect(await redis.hlen('unacked')).toBe(0);
    await d.release(lease);
    const tail = JSON.parse((await redis.lindex(q, -1)) ?? '{}') as { properties: { delivery_tag: string; delivery_info: { redelivered?: boolean } } };
    expect(tail.properties).toMatchObject({ delivery_tag: lease.tag, delivery_info: { redelivered: true } });
    await redis.del(q);
  });

  it('a waiting reserve records the BRPOPed message and takes the rest of a burst in the same call', async () => {
    const d = await driver();
    const q = queueName('burst');
    const pending = d.reserve([q], { max: 5, waitMs: 3000 });
    await sleep(100);
    await put(q, 5);
    const leases = await pending;
    expect(leases.map((l) => l.tag)).toEqual([0, 1, 2, 3, 4].map((i) => `${q}-t${i}`));
    expect(await redis.hlen('unacked')).toBe(5);
    await Promise.all(leases.map((l) => d.ack(l)));
    expect(await redis.hlen('unacked')).toBe(0);
  });

  it('a dead consumer\'s messages come back after the visibility timeout, flagged redelivered', async () => {
    // The "dead" consumer: it reserved and will never ack (its own visibility timeout is long, so it never sweeps them).
    const dead = await driver({ clientName: uniqueClientName('dead') });
    const q = queueName('vt');
    await put(q, 3);
    const lost = await dead.reserve([q], { max: 3, waitMs: 0 });
    expect(lost).toHaveLength(3);
    const rescuer = await driver({ visibilityTimeoutMs: 300 });
    expect(await rescuer.reserve([q], { max: 3, waitMs: 100 })).toEqual([]);
    const all: Lease[] = [];
    const deadline = Date.now() + 5000;
    while (all.length < 3 && Date.now() < deadline) all.push(...(await rescuer.reserve([q], { max: 3, waitMs: 1000 })));
    expect(all.map((l) => l.tag).sort()).toEqual(lost.map((l) => l.tag).sort());
    for (const l of all) expect(JSON.parse(l.payload).properties.delivery_info.redelivered).toBe(true);
    await Promise.all(all.map((l) => rescuer.ack(l)));
    expect(await redis.hlen('unacked')).toBe(0);
  });

  it('close requeues every held message at the consuming end, flagged redelivered', async () => {
    const q = queueName('close');
    const t = redisTransport({ url: URL1 });
    await t.connect();
    for (let i = 0; i < 5; i++) await t.publish(message(`c${i}`), { exchange: '', routingKey: q });
    const held: Delivery[] = [];
    await t.consume(q, (d) => void held.push(d), { prefetch: 3 });
    await until(() => held.length === 3, 3000, 'three prefetched');
    expect(await redis.hlen('unacked')).toBe(3);
    await t.close();
    expect(await redis.hlen('unacked')).toBe(0);
    expect(await redis.zcard('unacked_index')).toBe(0);
    const list = await redis.lrange(q, 0, -1);
    expect(list).toHaveLength(5);
    const tail = list.slice(2).map((p) => JSON.parse(p) as { headers: { redelivered?: boolean } });
    expect(tail.every((d) => d.headers.redelivered === true)).toBe(true);
    await redis.del(q);
  });

  it('a held message (ETA longer than the visibility timeout) is not redelivered while its lease is renewed', async () => {
    const q = queueName('eta');
    const vt = 300;
    const t = await transport({ visibilityTimeoutMs: vt, leaseRenewalMs: 80 });
    await t.publish(message('eta'), { exchange: '', routingKey: q });
    const held: Delivery[] = [];
    await t.consume(q, (d) => void held.push(d), { prefetch: 1 });
    await until(() => held.length === 1, 3000, 'the ETA message');
    const other = await driver({ visibilityTimeoutMs: vt, sweepIntervalMs: 30 });
    const stolen = await other.reserve([q], { max: 1, waitMs: vt * 4 });
    expect(stolen).toEqual([]);
    await held[0]?.ack();
    await until(async () => (await redis.hlen('unacked')) === 0, 2000, 'the ack');
  });

  it('without renewal (kombu\'s behaviour) the same message is redelivered to another consumer', async () => {
    const q = queueName('eta-off');
    const vt = 300;
    const t = await transport({ visibilityTimeoutMs: vt, leaseRenewalMs: false });
    await t.publish(message('eta'), { exchange: '', routingKey: q });
    const held: Delivery[] = [];
    await t.consume(q, (d) => void held.push(d), { prefetch: 1 });
    await until(() => held.length === 1, 3000, 'the ETA message');
    const other = await driver({ visibilityTimeoutMs: vt, sweepIntervalMs: 30 });
    const stolen = await other.reserve([q], { max: 1, waitMs: vt * 4 });
    expect(stolen).toHaveLength(1);
    if (stolen[0]) await other.ack(stolen[0]);
  });

  /** Publish continuously while all of the consumer's connections are killed `kills` times; every message must arrive. */
  async function consumerAfterKills(label: string, kills: number): Promise<{ sent: number; duplicates: number }> {
    const name = uniqueClientName(label);
    const q = queueName(label);
    const consumer = await transport({ clientName: name });
    const producer = await transport();
    const got = new Map<string, number>();
    await consumer.consume(
      q,
      async (d) => {
        got.set(text(d.message), (got.get(text(d.message)) ?? 0) + 1);
        await d.ack();
      },
      { prefetch: 10 },
    );
    await sleep(50);
    let sent = 0;
    let killing = true;
    const publishing = (async () => {
      while (killing || sent < 100) {
        await producer.publish(message(`k${sent}`), { exchange: '', routingKey: q });
        sent++;
        if (sent % 10 === 0) await sleep(2);
      }
    })();
    try {
      for (let k = 0; k < kills; k++) {
        await sleep(80);
        // Wait until the consumer has reconnected (its connections are named again), then kill them all.
        await until(async () => (await killClients(redis, name)) > 0, 5000, 'connections to kill');
      }
    } finally {
      killing = false;
      await publishing;
    }
    await until(() => got.size === sent, 15_000, `${sent} distinct messages`).catch(async (e: unknown) => {
      throw new Error(`${String(e)}: got ${got.size}, unacked ${await redis.hlen('unacked')}, ready ${await redis.llen(q)}`);
    });
    await until(async () => (await redis.hlen('unacked')) === 0 && (await redis.llen(q)) === 0, 5000, 'nothing left behind');
    const duplicates = [...got.values()].reduce((a, b) => a + b - 1, 0);
    return { sent, duplicates };
  }

  it('keeps nothing an operation returned once it settled (no per-operation memory held until close)', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const d = await driver();
    const q = queueName('gc');
    await put(q, 3);
    const takeOne = async (): Promise<WeakRef<object>> => {
      const leases = await d.reserve([q], { max: 1, waitMs: 0 });
      expect(leases).toHaveLength(1);
      await d.ack(leases[0] as Lease);
      return new WeakRef(leases);
    };
    const refs = [await takeOne(), await takeOne(), await takeOne()];
    expect(await d.size(q)).toBe(0);
    for (let i = 0; i < 3 && refs.some((r) => r.deref() !== undefined); i++) {
      await sleep(10);
      gc();
    }
    expect(refs.map((r) => r.deref() === undefined)).toEqual([true, true, true]);
  });

  it('close() finishes in bounded time when Redis cannot be reached', async () => {
    const d = redisQueueDriver({ url: 'redis://127.0.0.1:1/1', closeTimeoutMs: 400 });
    const pending = d.reserve(['nowhere'], { max: 1, waitMs: 60_000 }).catch((e: unknown) => e);
    const acking = d.ack({ queue: 'nowhere', payload: '{}', tag: 'never-reserved' }).catch((e: unknown) => e);
    await sleep(50);
    const started = Date.now();
    await d.close();
    expect(Date.now() - started).toBeLessThan(1500);
    expect(await pending).toBeInstanceOf(Error);
    expect(await acking).toMatchObject({ code: 'Q_ERR_CONNECTION_LOST' });
    await expect(d.ack({ queue: 'nowhere', payload: '{}', tag: 'after-close' })).rejects.toMatchObject({ code: 'Q_ERR_CONNECTION_LOST' });
  });

  it('resumes consuming after CLIENT KILL of its connections while idle, losing nothing', async () => {
    const name = uniqueClientName('idle');
    const q = queueName('idle');
    const consumer = await transport({ clientName: name });
    const got: string[] = [];
    await consumer.consume(q, async (d) => {
      got.push(text(d.message));
      await d.ack();
    }, { prefetch: 4 });
    await sleep(100);
    expect(await killClients(redis, name)).toBeGreaterThanOrEqual(2);
    await sleep(50);
    const producer = await transport();
    for (let i = 0; i < 10; i++) await producer.publish(message(`i${i}`), { exchange: '', routingKey: q });
    await until(() => got.length === 10, 10_000, 'ten messages after the kill');
    expect(got.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `i${i}`).sort());
  });

  it('keeps consuming through repeated kills of all its connections while messages flow (a simulated Redis restart)', async () => {
    const { sent, duplicates } = await consumerAfterKills('flow', 4);
    expect(sent).toBeGreaterThan(100);
    expect(duplicates).toBe(0);
  });
});
