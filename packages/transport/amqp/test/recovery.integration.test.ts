/**
 * Losing the connection or a channel (vhost `q-test-transport-amqp-recovery`): `rabbitmqctl close_all_connections`
 * under a working worker, a channel closed by the broker (as its consumer_timeout does), a queue deleted under its
 * consumer, a refused declaration, publishes made while disconnected, close() with publishes in flight, failover.
 */
import { createApp, isQError, memoryKeyValueDriver, silentLogger } from '@q/core';
import type { Delivery, Message } from '@q/core/adapter';
import { createWorker } from '@q/worker';
import { describe, expect, it, onTestFinished } from 'vitest';
import { amqpTransport, type AmqpTransport, type AmqpTransportOptions } from '../src/index.js';
import type { AmqpDelivery } from '../src/delivery.js';
import { channels, closeConnections, fileVhost, list, rabbitmqctl, sleep, until } from './helpers.js';

const vhost = await fileVhost('transport-amqp-recovery');

const text = (m: Message): string => new TextDecoder().decode(m.body);
const message = (body: string): Message => ({ body: new TextEncoder().encode(body), contentType: 'text/plain', contentEncoding: 'utf-8', headers: {}, properties: {} });
const durable = (name: string) => ({ name, durable: true, exclusive: false, autoDelete: false });
const errorOf = async (p: Promise<unknown>): Promise<unknown> => p.then(() => null, (err: unknown) => err);

describe.skipIf(!vhost)('amqp recovery', () => {
  const url = vhost?.url ?? '';
  const name = vhost?.name ?? '';

  async function transport(options: AmqpTransportOptions = {}): Promise<AmqpTransport> {
    const t = amqpTransport({ url, ...options });
    await t.connect();
    onTestFinished(() => t.close());
    return t;
  }

  it('a worker keeps consuming after close_all_connections and every task runs (acks_late, publishing meanwhile)', async () => {
    const producer = createApp({ name: 'producer', broker: amqpTransport(url), backend: memoryKeyValueDriver({ namespace: `rec-p-${process.pid}` }) });
    const app = createApp({ name: 'worker', broker: amqpTransport(url), backend: memoryKeyValueDriver({ namespace: `rec-w-${process.pid}` }), task: { acksLate: true } });
    onTestFinished(() => producer.close());
    onTestFinished(() => app.close());
    const runs = new Map<number, number>();
    const work = async (i: number): Promise<number> => {
      runs.set(i, (runs.get(i) ?? 0) + 1);
      await sleep(2);
      return i;
    };
    producer.task({ name: 'tasks.work' }, work);
    app.task({ name: 'tasks.work' }, work);
    const send = producer.tasks.get('tasks.work');
    if (!send) throw new Error('no task');
    const worker = createWorker(app, { logger: silentLogger, hostname: 'rec@test', concurrency: 4, prefetchMultiplier: 4 });
    onTestFinished(() => worker.stop({ graceful: false }));
    await worker.start();

    let sent = 0;
    let killing = true;
    const publishing = (async () => {
      while (killing || sent < 300) {
        await send.delay(sent);
        sent++;
        if (sent % 20 === 0) await sleep(5);
      }
    })();
    for (let k = 0; k < 2; k++) {
      await until(() => runs.size > 50 * (k + 1), 10_000, 'tasks to run before closing connections');
      closeConnections(name);
    }
    killing = false;
    await publishing;
    await until(() => runs.size === sent, 20_000, `${sent} distinct tasks`).catch(() => {
      const missing = Array.from({ length: sent }, (_, i) => i).filter((i) => !runs.has(i));
      throw new Error(`${missing.length} of ${sent} tasks never ran: ${missing.slice(0, 20).join(', ')}`);
    });
    const worker2 = (await app.getTransport()) as AmqpTransport;
    await until(async () => (await worker2.queueSize('celery')) === 0, 5000, 'an empty queue');
  });

  it('a held ETA task runs once after the connection dropped: the stale copy is dropped, the redelivered one held', async () => {
    const app = createApp({ name: 'eta', broker: amqpTransport(url), backend: memoryKeyValueDriver({ namespace: `rec-eta-${process.pid}` }) });
    onTestFinished(() => app.close());
    let runs = 0;
    const later = app.task({ name: 'tasks.later' }, () => void runs++);
    const worker = createWorker(app, { logger: silentLogger, hostname: 'eta@test', concurrency: 1 });
    onTestFinished(() => worker.stop({ graceful: false }));
    await worker.start();
    // The ETA leaves room for the reconnect and for rabbitmqctl, which takes seconds a call on a loaded machine: the
    // redelivered copy must arrive (and be held) before the ETA for this test to mean anything.
    await later.applyAsync([], {}, { countdown: 20 });
    await until(() => worker.counters.scheduled === 1, 5000, 'the ETA task held');
    closeConnections(name);
    // The broker requeued it and delivers it again on the new channel, where the worker holds it (once).
    await until(() => channels(name, ['consumer_count', 'messages_unacknowledged']).some(([c, u]) => c !== '0' && u === '1'), 18_000, 'the redelivery');
    expect(worker.counters.scheduled).toBe(1);
    await until(() => runs === 1, 25_000, 'the task at its ETA');
    await until(() => channels(name, ['messages_unacknowledged']).every(([u]) => u === '0'), 5000, 'the ack');
    expect(runs).toBe(1);
  });

  it('reopens a consuming channel the broker closed (as consumer_timeout does): the delivery comes back redelivered', async () => {
    const t = await transport();
    await t.declareQueue(durable('chan-closed'));
    await t.publish(message('held'), { exchange: '', routingKey: 'chan-closed' });
    const got: Delivery[] = [];
    await t.consume('chan-closed', (d) => void got.push(d), { prefetch: 5 });
    await until(() => got.length === 1, 5000, 'the first delivery');
    const first = got[0] as AmqpDelivery;
    // Acknowledging an unknown delivery tag makes RabbitMQ close the channel with 406 PRECONDITION_FAILED.
    first.channel.ack({ fields: { deliveryTag: 999_999 } } as Parameters<AmqpDelivery['channel']['ack']>[0]);
    await until(() => got.length === 2, 5000, 'the redelivery on the reopened channel');
    expect(text(got[1]?.message as Message)).toBe('held');
    expect(got[1]?.info.redelivered).toBe(true);
    // Settling the stale delivery is dropped quietly; the new one is acknowledged.
    await expect(first.ack()).resolves.toBeUndefined();
    await got[1]?.ack();
    await t.publish(message('after'), { exchange: '', routingKey: 'chan-closed' });
    await until(() => got.length === 3, 5000, 'a message after the reopen');
    await got[2]?.ack();
    await until(async () => (await t.queueSize('chan-closed')) === 0, 3000, 'an empty queue');
  });

  it('declares a deleted queue again and resumes its consumer (consumer cancel notification)', async () => {
    const t = await transport();
    await t.declareExchange({ name: 'recx', type: 'direct', durable: true, autoDelete: false });
    await t.declareQueue(durable('deleted-q'));
    await t.bindQueue({ queue: 'deleted-q', exchange: 'recx', routingKey: 'k' });
    const got: string[] = [];
    await t.consume('deleted-q', async (d) => {
      got.push(text(d.message));
      await d.ack();
    }, { prefetch: 5 });
    rabbitmqctl(['delete_queue', '-p', name, 'deleted-q']);
    // Publish through the exchange until the re-declared, re-bound queue delivers again.
    await until(async () => {
      await t.publish(message('again'), { exchange: 'recx', routingKey: 'k' });
      return got.length > 0;
    }, 10_000, 'a delivery after the queue came back');
    expect(got[0]).toBe('again');
  });

  it('sends auto-delete and x-expires declarations on every call (they can vanish), durable ones once', async () => {
    const t = await transport();
    const expiring = { name: 'expiring-q', durable: false, exclusive: false, autoDelete: false, arguments: { 'x-expires': 60_000 } };
    await t.declareQueue(expiring);
    await t.declareQueue(durable('kept-q'));
    rabbitmqctl(['delete_queue', '-p', name, 'expiring-q']);
    rabbitmqctl(['delete_queue', '-p', name, 'kept-q']);
    await t.declareQueue(expiring);
    await t.declareQueue(durable('kept-q'));
    const queues = list('queues', name, ['name']).map((r) => r[0]);
    expect(queues).toContain('expiring-q');
    expect(queues).not.toContain('kept-q');
    rabbitmqctl(['delete_queue', '-p', name, 'expiring-q']);
  });

  it('a refused declaration fails with Q_ERR_BROKER_REFUSED and disturbs nothing else', async () => {
    const t = await transport();
    await t.declareQueue(durable('flags'));
    const got: Delivery[] = [];
    await t.consume('flags', (d) => void got.push(d), { prefetch: 5 });
    const err = await errorOf(t.declareQueue({ name: 'flags', durable: false, exclusive: false, autoDelete: true }));
    expect(isQError(err) && err.code).toBe('Q_ERR_BROKER_REFUSED');
    expect(String((err as Error).message)).toMatch(/PRECONDITION_FAILED|406/);
    await t.publish(message('fine'), { exchange: '', routingKey: 'flags' });
    await until(() => got.length === 1, 5000, 'a delivery on the same transport');
    await got[0]?.ack();
    // Missing queues: consume refuses, size and purge say 0.
    expect(isQError(await errorOf(t.consume('nope', () => undefined, { prefetch: 1 }))) ? 'refused' : 'other').toBe('refused');
    expect(await t.queueSize('nope')).toBe(0);
    expect(await t.purge('nope')).toBe(0);
  });

  it('a publish made while disconnected goes out after the reconnect; close() waits for publishes in flight', async () => {
    const t = await transport();
    await t.declareQueue(durable('offline'));
    closeConnections(name);
    await t.publish(message('while down'), { exchange: '', routingKey: 'offline' });
    expect(await t.queueSize('offline')).toBe(1);
    const pubs = Array.from({ length: 300 }, (_, i) => t.publish(message(`m${i}`), { exchange: '', routingKey: 'offline' }));
    await t.close();
    expect((await Promise.allSettled(pubs)).every((r) => r.status === 'fulfilled')).toBe(true);
    const other = await transport();
    expect(await other.purge('offline')).toBe(301);
  });

  it('connects to the next broker of a failover list and masks every password', async () => {
    const list = `amqp://guest:secret@127.0.0.1:1/${encodeURIComponent(name)};${url}`;
    const t = await transport({ url: list });
    expect(t.describe()).toBe(list.replace(':secret@', ':***@').replace(':guest@', ':***@'));
    await t.declareQueue(durable('failover'));
    expect(await t.queueSize('failover')).toBe(0);
    const refused = await errorOf(amqpTransport({ url: 'amqp://guest:guest@127.0.0.1:1//', connectTimeoutMs: 500 }).connect());
    expect(refused).toMatchObject({ code: 'Q_ERR_CONNECTION_FAILED', retryable: true });
    const denied = await errorOf(amqpTransport({ url: url.replace(':guest@', ':wrong@') }).connect());
    expect(denied).toMatchObject({ code: 'Q_ERR_CONNECTION_FAILED', retryable: false });
    const noVhost = await errorOf(amqpTransport({ url: url.replace(encodeURIComponent(name), 'q-test-no-such-vhost') }).connect());
    expect(noVhost).toMatchObject({ code: 'Q_ERR_CONNECTION_FAILED', retryable: false });
  });
});
