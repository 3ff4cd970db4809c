/**
 * Events over Redis (db 6 only, flushed before and after): the dispatcher PUBLISHes each event on
 * `/6.celeryev/<routing key>` as kombu does (the event exchange is fanout on Redis), task events batched into one
 * `task.multi` message with an array body; receivers PSUBSCRIBE through their binding, so one bound with `worker.#`
 * gets worker events only; order is kept.
 */
import { createRequire } from 'node:module';
import { LamportClock, type Transport } from '@q/core';
import { decodeEnvelope } from '@q/core/adapter';
import { REDIS, servicesAvailable } from '@q/test-services';
import { redisTransport } from '@q/transport-redis';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { EventDispatcher } from '../src/dispatcher/event-dispatcher.js';
import { EventReceiver } from '../src/receiver/event-receiver.js';
import type { QEvent } from '../src/wire/event.js';
import { decodeEvents } from '../src/wire/event-message.js';

const DB = 6;
const URL6 = `redis://127.0.0.1:6379/${DB}`;
const ok = await servicesAvailable('events-redis', REDIS);

/** The part of ioredis this file uses (ioredis is a dependency of the Redis transport, loaded from there). */
interface RawRedis {
  connect(): Promise<void>;
  flushdb(): Promise<unknown>;
  psubscribe(pattern: string): Promise<unknown>;
  on(event: 'pmessage', listener: (pattern: string, channel: string, message: string) => void): void;
  quit(): Promise<unknown>;
  disconnect(): void;
}
type RawRedisClass = new (options: Record<string, unknown>) => RawRedis;
const requireFromTransport = createRequire(createRequire(import.meta.url).resolve('@q/transport-redis/package.json'));
const { Redis } = requireFromTransport('ioredis') as { Redis: RawRedisClass };

const rawClient = (): RawRedis => new Redis({ host: '127.0.0.1', port: 6379, db: DB, lazyConnect: true, maxRetriesPerRequest: 3 });

async function transport(): Promise<Transport> {
  const t = redisTransport(URL6);
  await t.connect();
  onTestFinished(() => t.close());
  return t;
}

function collector(t: Transport, routingKey = '#'): { receiver: EventReceiver; events: QEvent[] } {
  const events: QEvent[] = [];
  const receiver = new EventReceiver({ transport: t, routingKey, handlers: { '*': (e) => events.push(e) } });
  onTestFinished(() => receiver.stop());
  return { receiver, events };
}

describe.skipIf(!ok)('events over Redis', () => {
  const admin = rawClient();
  beforeAll(async () => {
    await admin.connect();
    await admin.flushdb();
  });
  afterAll(async () => {
    await admin.flushdb();
    await admin.quit().catch(() => admin.disconnect());
  });

  it('publishes on /6.celeryev/<routing key>, batches task events into task.multi, and receivers get them in order', async () => {
    const sub = rawClient();
    onTestFinished(() => sub.quit().then(() => undefined, () => sub.disconnect()));
    await sub.connect();
    const raw: { channel: string; message: string }[] = [];
    sub.on('pmessage', (_pattern, channel, message) => raw.push({ channel, message }));
    await sub.psubscribe(`/${DB}.celeryev/*`);

    const all = collector(await transport());
    const workers = collector(await transport(), 'worker.#');
    const allDone = all.receiver.capture({ limit: 5, timeout: 10 });
    const workersDone = workers.receiver.capture({ limit: 2, timeout: 10 });
    await Promise.all([all.receiver.start(), workers.receiver.start()]);

    const dispatcher = new EventDispatcher({ transport: await transport(), hostname: 'ev1@test', clock: new LamportClock(), bufferGroups: ['task'] });
    onTestFinished(() => dispatcher.close());
    dispatcher.send('worker-online', { freq: 2 });
    dispatcher.send('task-received', { uuid: 't1', name: 'tasks.add' });
    dispatcher.send('task-started', { uuid: 't1' });
    dispatcher.send('task-succeeded', { uuid: 't1', result: '3', runtime: 0.01 });
    dispatcher.send('worker-heartbeat', { freq: 2 });
    await dispatcher.flush();
    await Promise.all([allDone, workersDone]);

    expect(all.events.map((e) => e.type)).toEqual(['worker-online', 'worker-heartbeat', 'task-received', 'task-started', 'task-succeeded']);
    expect(all.events.map((e) => e.clock)).toEqual([1, 5, 2, 3, 4]);
    expect(all.events.every((e) => e.hostname === 'ev1@test' && typeof e.local_received === 'number')).toBe(true);
    expect(workers.events.map((e) => e.type)).toEqual(['worker-online', 'worker-heartbeat']);

    const until = Date.now() + 5000;
    while (raw.length < 3 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    expect(raw.map((m) => m.channel)).toEqual([`/${DB}.celeryev/worker.online`, `/${DB}.celeryev/worker.heartbeat`, `/${DB}.celeryev/task.multi`]);
    const batch = decodeEnvelope(raw[2]?.message ?? '');
    expect(batch.exchange).toBe('celeryev');
    expect(batch.routingKey).toBe('task.multi');
    expect(batch.message.headers).toEqual({ hostname: 'ev1@test' });
    expect(batch.message.properties.deliveryMode).toBe(1);
    expect(new TextDecoder().decode(batch.message.body).startsWith('[{')).toBe(true);
    expect(decodeEvents(batch.message).events.map((e) => e.type)).toEqual(['task-received', 'task-started', 'task-succeeded']);
  });

  it('keeps the order of many events, batched and single', async () => {
    const all = collector(await transport());
    const done = all.receiver.capture({ limit: 200, timeout: 20 });
    await all.receiver.start();
    const dispatcher = new EventDispatcher({ transport: await transport(), hostname: 'ev2@test', clock: new LamportClock(), bufferGroups: ['task'] });
    onTestFinished(() => dispatcher.close());
    for (let i = 0; i < 100; i++) dispatcher.send('task-started', { n: i });
    for (let i = 0; i < 100; i++) dispatcher.send('worker-heartbeat', { n: i });
    await dispatcher.flush();
    await done;
    const order = (type: string) => all.events.filter((e) => e.type === type).map((e) => e['n']);
    expect(order('task-started')).toEqual([...Array(100).keys()]);
    expect(order('worker-heartbeat')).toEqual([...Array(100).keys()]);
  });
});
