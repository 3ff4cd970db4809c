import { describe, expect, it, vi } from 'vitest';
import { recordingLogger } from '@q/test-services';
import type { Delivery, Message } from '../contracts/message.js';
import type { Consumer } from '../contracts/transport.js';
import type { QueueDriver } from '../contracts/queue-driver.js';
import { decodeEnvelope } from '../protocol/envelope.js';
import { memoryQueueDriver } from './memory-queue-driver.js';
import { virtualTransport } from './virtual-transport.js';

const ns = (): string => `vt-${Math.random().toString(36).slice(2)}`;
const msg = (text: string, priority?: number): Message => ({
  body: new TextEncoder().encode(text),
  contentType: 'application/json',
  contentEncoding: 'utf-8',
  headers: { id: text },
  properties: priority === undefined ? {} : { priority },
});
const text = (d: Delivery): string => new TextDecoder().decode(d.message.body);


async function until(check: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('virtualTransport', () => {
  it('puts a kombu envelope with a fresh delivery tag per queue copy', async () => {
    const namespace = ns();
    const driver = memoryQueueDriver({ namespace });
    const transport = virtualTransport(driver);
    await transport.declareExchange({ name: 'ex', type: 'direct', durable: true, autoDelete: false });
    await transport.bindQueue({ queue: 'a', exchange: 'ex', routingKey: 'k' });
    await transport.bindQueue({ queue: 'b', exchange: 'ex', routingKey: 'k' });
    await transport.publish(msg('x', 6), { exchange: 'ex', routingKey: 'k' });
    const peek = memoryQueueDriver({ namespace });
    const [a] = await peek.reserve(['a'], { max: 1, waitMs: 0 });
    const [b] = await peek.reserve(['b'], { max: 1, waitMs: 0 });
    const ea = decodeEnvelope(a?.payload ?? '');
    const eb = decodeEnvelope(b?.payload ?? '');
    expect([ea.exchange, ea.routingKey, ea.priority]).toEqual(['ex', 'k', 6]);
    expect(ea.deliveryTag).toMatch(/^[0-9a-f-]{36}$/);
    expect(ea.deliveryTag).not.toBe(eb.deliveryTag);
    expect(a?.tag).toBe(ea.deliveryTag);
  });

  it('declares capabilities from the driver', () => {
    const caps = virtualTransport(memoryQueueDriver({ namespace: ns() })).capabilities;
    expect(caps).toMatchObject({ priorities: 'steps', fanout: true, topic: true, push: true, nativeDelay: false });
  });

  /** The memory driver with some capabilities changed (and, for `persistentBindings: false`, no bind/bindings). */
  function withCapabilities(changes: Partial<QueueDriver['capabilities']>): QueueDriver & { puts: Parameters<QueueDriver['put']>[] } {
    const base = memoryQueueDriver({ namespace: ns() });
    const puts: Parameters<QueueDriver['put']>[] = [];
    const driver: QueueDriver & { puts: typeof puts } = Object.assign(Object.create(base) as QueueDriver, {
      capabilities: { ...base.capabilities, ...changes },
      puts,
      put: (...args: Parameters<QueueDriver['put']>) => {
        puts.push(args);
        return base.put(...args);
      },
    });
    return driver;
  }

  it('claims topic and fanout only when the driver shares its bindings or broadcasts itself', () => {
    expect(virtualTransport(withCapabilities({ persistentBindings: false })).capabilities).toMatchObject({ topic: false, fanout: false });
    // Declared but without the methods: not counted.
    expect(virtualTransport(withCapabilities({ persistentBindings: false, fanout: true })).capabilities).toMatchObject({ topic: false, fanout: false });
    const broadcasting = Object.assign(withCapabilities({ persistentBindings: false, fanout: true }), {
      fanoutPublish: async () => {},
      subscribe: async () => async () => {},
    });
    expect(virtualTransport(broadcasting).capabilities).toMatchObject({ topic: false, fanout: true });
  });

  it('passes a publish delay to a driver with native delay, capped at its maximum, and to no other', async () => {
    const delaying = withCapabilities({ nativeDelay: { maxDelayMs: 900_000 } });
    const transport = virtualTransport(delaying);
    expect(transport.capabilities.nativeDelay).toEqual({ maxDelayMs: 900_000 });
    await transport.publish(msg('soon'), { exchange: '', routingKey: 'q', delayMs: 5_000 });
    await transport.publish(msg('late'), { exchange: '', routingKey: 'q', delayMs: 3_600_000 });
    await transport.publish(msg('now'), { exchange: '', routingKey: 'q' });
    expect(delaying.puts.map(([, , o]) => o.delayMs)).toEqual([5_000, 900_000, undefined]);

    const plain = withCapabilities({});
    await virtualTransport(plain).publish(msg('soon'), { exchange: '', routingKey: 'q', delayMs: 5_000 });
    expect(plain.puts[0]?.[2]).not.toHaveProperty('delayMs');
  });

  it('nack without requeue drops the message and logs a warning', async () => {
    const logger = recordingLogger();
    const transport = virtualTransport(memoryQueueDriver({ namespace: ns() }), { logger });
    await transport.publish(msg('bad'), { exchange: '', routingKey: 'q' });
    const seen: Delivery[] = [];
    await transport.consume('q', (d) => void seen.push(d), { prefetch: 1 });
    await until(() => seen.length === 1);
    await seen[0]?.nack({ requeue: false });
    expect(await transport.queueSize?.('q')).toBe(0);
    expect(logger.lines.some((l) => l.level === 'warn' && /dropped/.test(l.msg))).toBe(true);
    await transport.close();
  });

  it("nack without requeue and a malformed envelope go to the driver's reject when it has one, not to ack", async () => {
    const inner = memoryQueueDriver({ namespace: ns() });
    const rejected: { payload: string; kind: string; detail: string }[] = [];
    const acks = vi.fn();
    const driver: QueueDriver = Object.assign(Object.create(inner) as QueueDriver, {
      ack: async (lease: Parameters<QueueDriver['ack']>[0]) => {
        acks(lease);
        await inner.ack(lease);
      },
      reject: async (lease: Parameters<QueueDriver['ack']>[0], reason: { kind: string; detail: string }) => {
        rejected.push({ payload: lease.payload, kind: reason.kind, detail: reason.detail });
        await inner.ack(lease); // as a dead-letter move would: gone from the queue
      },
    });
    const transport = virtualTransport(driver);
    await transport.publish(msg('refused'), { exchange: '', routingKey: 'q' });
    await inner.put('q', 'not json at all', { priority: 0, tag: 'raw' });
    const seen: Delivery[] = [];
    await transport.consume('q', (d) => void seen.push(d), { prefetch: 2 });
    await until(() => seen.length === 1 && rejected.length === 1);
    await seen[0]?.nack({ requeue: false });
    expect(rejected.map((r) => [r.kind, r.payload === 'not json at all'])).toEqual([
      ['malformed', true],
      ['rejected', false],
    ]);
    expect(rejected[0]?.detail).not.toBe('');
    expect(acks).not.toHaveBeenCalled();
    await transport.close();
  });

  it('a handler that throws gets its delivery rejected (dropped) and logged', async () => {
    const logger = recordingLogger();
    const transport = virtualTransport(memoryQueueDriver({ namespace: ns() }), { logger });
    await transport.publish(msg('boom'), { exchange: '', routingKey: 'q' });
    await transport.publish(msg('next'), { exchange: '', routingKey: 'q' });
    const seen: string[] = [];
    await transport.consume(
      'q',
      (d) => {
        seen.push(text(d));
        if (text(d) === 'boom') throw new Error('handler failed');
        void d.ack();
      },
      { prefetch: 1 },
    );
    await until(() => seen.length === 2);
    expect(seen).toEqual(['boom', 'next']);
    expect(logger.lines.some((l) => l.level === 'error' && /handler failed/.test(l.msg))).toBe(true);
    await transport.close();
  });

  it('noAck consumers settle on receipt and are not limited by prefetch', async () => {
    const namespace = ns();
    const transport = virtualTransport(memoryQueueDriver({ namespace }));
    for (const n of [1, 2, 3]) await transport.publish(msg(String(n)), { exchange: '', routingKey: 'q' });
    const seen: Delivery[] = [];
    await transport.consume('q', (d) => void seen.push(d), { prefetch: 1, noAck: true });
    await until(() => seen.length === 3);
    await transport.close();
    // Nothing was restored on close: the deliveries were settled on receipt.
    expect(await memoryQueueDriver({ namespace }).reserve(['q'], { max: 10, waitMs: 0 })).toEqual([]);
  });

  it('close restores unsettled deliveries, then closes the driver', async () => {
    const namespace = ns();
    const driver = memoryQueueDriver({ namespace });
    const close = vi.spyOn(driver, 'close');
    const transport = virtualTransport(driver);
    await transport.publish(msg('held'), { exchange: '', routingKey: 'q' });
    const seen: Delivery[] = [];
    await transport.consume('q', (d) => void seen.push(d), { prefetch: 5 });
    await until(() => seen.length === 1);
    await transport.close();
    expect(close).toHaveBeenCalledOnce();
    const [lease] = await memoryQueueDriver({ namespace }).reserve(['q'], { max: 1, waitMs: 0 });
    expect(decodeEnvelope(lease?.payload ?? '').redelivered).toBe(true);
    await seen[0]?.ack(); // settling after close is ignored
  });

  it('polls drivers that cannot block, at pollIntervalMs', async () => {
    const inner = memoryQueueDriver({ namespace: ns() });
    const driver: QueueDriver = { ...inner, capabilities: { ...inner.capabilities, blockingReserve: false } };
    const reserve = vi.spyOn(driver, 'reserve');
    const transport = virtualTransport(driver, { pollIntervalMs: 20 });
    const seen: string[] = [];
    await transport.consume('q', (d) => {
      seen.push(text(d));
      void d.ack();
    }, { prefetch: 1 });
    await new Promise((r) => setTimeout(r, 120));
    expect(reserve.mock.calls.every(([, o]) => o.waitMs === 0)).toBe(true);
    expect(reserve.mock.calls.length).toBeGreaterThan(2);
    expect(reserve.mock.calls.length).toBeLessThan(20);
    await inner.put('q', (await import('../protocol/envelope.js')).encodeEnvelope(msg('polled'), { exchange: '', routingKey: 'q', deliveryTag: 't' }), { priority: 0, tag: 't' });
    await until(() => seen.length === 1);
    expect(seen).toEqual(['polled']);
    await transport.close();
  });

  it('emulates fanout through in-memory bindings when the driver keeps none', async () => {
    const inner = memoryQueueDriver({ namespace: ns() });
    const driver: QueueDriver = { ...inner, capabilities: { ...inner.capabilities, persistentBindings: false } };
    delete driver.bind;
    delete driver.bindings;
    const transport = virtualTransport(driver);
    await transport.declareExchange({ name: 'bcast', type: 'fanout', durable: false, autoDelete: true });
    await transport.bindQueue({ queue: 'x', exchange: 'bcast', routingKey: '' });
    await transport.bindQueue({ queue: 'y', exchange: 'bcast', routingKey: '' });
    await transport.publish(msg('all'), { exchange: 'bcast', routingKey: 'whatever' });
    expect([await transport.queueSize?.('x'), await transport.queueSize?.('y')]).toEqual([1, 1]);
  });

  it('uses the driver’s native fanout: subscribe to consume, fanoutPublish to publish', async () => {
    const subscribers: { exchange: string; pattern: string; fn: (p: string) => void }[] = [];
    const inner = memoryQueueDriver({ namespace: ns() });
    const driver: QueueDriver = {
      ...inner,
      capabilities: { ...inner.capabilities, fanout: true },
      async fanoutPublish(exchange, _key, payload) {
        for (const s of subscribers) if (s.exchange === exchange) s.fn(payload);
      },
      async subscribe(exchange, pattern, fn) {
        const entry = { exchange, pattern, fn };
        subscribers.push(entry);
        return async () => void subscribers.splice(subscribers.indexOf(entry), 1);
      },
    };
    const put = vi.spyOn(driver, 'put');
    const transport = virtualTransport(driver);
    await transport.declareExchange({ name: 'celery.pidbox', type: 'fanout', durable: false, autoDelete: false });
    await transport.bindQueue({ queue: 'w1.celery.pidbox', exchange: 'celery.pidbox', routingKey: '' });
    const seen: Delivery[] = [];
    const consumer = await transport.consume('w1.celery.pidbox', (d) => void seen.push(d), { prefetch: 1 });
    expect(subscribers.map((s) => [s.exchange, s.pattern])).toEqual([['celery.pidbox', '']]);
    await transport.publish(msg('ping'), { exchange: 'celery.pidbox', routingKey: '' });
    await transport.publish(msg('pong'), { exchange: 'celery.pidbox', routingKey: '' });
    expect(seen.map(text)).toEqual(['ping', 'pong']);
    expect(seen[0]?.info.queue).toBe('w1.celery.pidbox');
    expect(put).not.toHaveBeenCalled();
    await consumer.cancel();
    expect(subscribers).toHaveLength(0);
    await transport.close();
  });

  it('bindings persisted by the driver route messages published by another transport', async () => {
    const namespace = ns();
    const worker = virtualTransport(memoryQueueDriver({ namespace }));
    await worker.declareExchange({ name: 'celeryev', type: 'topic', durable: true, autoDelete: false });
    await worker.bindQueue({ queue: 'ev', exchange: 'celeryev', routingKey: 'worker.#' });
    const client = virtualTransport(memoryQueueDriver({ namespace }));
    await client.publish(msg('hb'), { exchange: 'celeryev', routingKey: 'worker.heartbeat', exchangeType: 'topic' });
    await client.publish(msg('task'), { exchange: 'celeryev', routingKey: 'task.sent', exchangeType: 'topic' });
    expect(await worker.queueSize?.('ev')).toBe(1);
  });

  it('renews the leases of unsettled deliveries when asked to', async () => {
    const driver = memoryQueueDriver({ namespace: ns() });
    const extend = vi.spyOn(driver, 'extendLease');
    const transport = virtualTransport(driver, { leaseRenewalMs: 20 });
    await transport.publish(msg('long'), { exchange: '', routingKey: 'q' });
    const seen: Delivery[] = [];
    await transport.consume('q', (d) => void seen.push(d), { prefetch: 1 });
    await until(() => seen.length === 1);
    await until(() => extend.mock.calls.length >= 2);
    await seen[0]?.ack();
    const calls = extend.mock.calls.length;
    await new Promise((r) => setTimeout(r, 60));
    expect(extend.mock.calls.length).toBe(calls);
    await transport.close();
  });
  it('sends the next reserve before delivering a full batch, never holding more than the prefetch window', async () => {
    const driver = memoryQueueDriver({ namespace: ns() });
    const transport = virtualTransport(driver);
    for (let i = 0; i < 30; i++) await transport.publish(msg(`m${i}`), { exchange: '', routingKey: 'q' });
    const seen: Delivery[] = [];
    const reserves: { max: number; deliveredBefore: number; got: number }[] = [];
    const reserve = driver.reserve.bind(driver);
    vi.spyOn(driver, 'reserve').mockImplementation(async (queues, options) => {
      const entry = { max: options.max, deliveredBefore: seen.length, got: 0 };
      reserves.push(entry);
      const leases = await reserve(queues, options);
      entry.got = leases.length;
      return leases;
    });
    await transport.consume('q', (d) => void seen.push(d), { prefetch: 10 });
    await until(() => seen.length === 10);
    await new Promise((r) => setTimeout(r, 50));
    // Half a window per reserve; the second one went out before the first batch was handed to the handler.
    expect(reserves.slice(0, 2)).toEqual([
      { max: 5, deliveredBefore: 0, got: 5 },
      { max: 5, deliveredBefore: 0, got: 5 },
    ]);
    expect(seen.length).toBe(10);
    expect(reserves.reduce((n, r) => n + r.got, 0)).toBe(10);
    // Settling frees the window: the rest arrive, in order, still never more than 10 unsettled at a time.
    let acked = 0;
    while (acked < 30) {
      await until(() => seen.length > acked);
      expect(seen.length - acked).toBeLessThanOrEqual(10);
      await seen[acked++]?.ack();
    }
    expect(seen.map(text)).toEqual(Array.from({ length: 30 }, (_, i) => `m${i}`));
    await transport.close();
  });
  it('lets the next reserve leave before the batch runs, also for a driver that sends at the end of a turn', async () => {
    // Like the Redis driver's write coalescing: a reserve reaches the wire only in a nextTick after the call.
    const driver = memoryQueueDriver({ namespace: ns() });
    const transport = virtualTransport(driver);
    for (let i = 0; i < 8; i++) await transport.publish(msg(`m${i}`), { exchange: '', routingKey: 'q' });
    const events: string[] = [];
    const reserve = driver.reserve.bind(driver);
    let calls = 0;
    vi.spyOn(driver, 'reserve').mockImplementation((queues, options) => {
      const n = ++calls;
      return new Promise((resolve, reject) => {
        process.nextTick(() => {
          events.push(`reserve ${n} sent`);
          reserve(queues, options).then(resolve, reject);
        });
      });
    });
    await transport.consume('q', (d) => void events.push(`ran ${text(d)}`), { prefetch: 4 });
    await until(() => events.includes('ran m3'));
    // Reserve 2 is on the wire before m0 runs (without the yield it went out only after m1 had run).
    expect(events.slice(0, 3)).toEqual(['reserve 1 sent', 'reserve 2 sent', 'ran m0']);
    await transport.close();
  });
  it('hands nothing to the handler when cancelled while the next reserve leaves: both batches go back', async () => {
    const driver = memoryQueueDriver({ namespace: ns() });
    const transport = virtualTransport(driver);
    for (let i = 0; i < 10; i++) await transport.publish(msg(`m${i}`), { exchange: '', routingKey: 'q' });
    const reserve = driver.reserve.bind(driver);
    const started: { consumer?: Consumer } = {};
    let cancelled: Promise<void> | undefined;
    let calls = 0;
    vi.spyOn(driver, 'reserve').mockImplementation((queues, options) => {
      // The second call is the one sent ahead of the first batch: cancel then (once `consume` has returned the
      // consumer: a nextTick, still before the loop's turn ends), before the batch is delivered.
      if (++calls === 2) cancelled = new Promise<void>((resolve) => process.nextTick(resolve)).then(() => (started.consumer as Consumer).cancel());
      return reserve(queues, options);
    });
    const seen: string[] = [];
    started.consumer = await transport.consume('q', (d) => void seen.push(text(d)), { prefetch: 4 });
    await until(() => cancelled !== undefined);
    await cancelled;
    expect(calls).toBe(2);
    expect(seen).toEqual([]);
    expect(await transport.queueSize?.('q')).toBe(10);
    await transport.close();
  });
  it('frees a place in the prefetch window when an ack is asked for, not when the driver confirms it', async () => {
    const driver = memoryQueueDriver({ namespace: ns() });
    const ack = driver.ack.bind(driver);
    vi.spyOn(driver, 'ack').mockImplementation(async (lease) => {
      await new Promise((r) => setTimeout(r, 300));
      return ack(lease);
    });
    const transport = virtualTransport(driver);
    for (let i = 0; i < 6; i++) await transport.publish(msg(`m${i}`), { exchange: '', routingKey: 'q' });
    const seen: string[] = [];
    const t0 = Date.now();
    await transport.consume('q', (d) => {
      seen.push(text(d));
      void d.ack();
    }, { prefetch: 2 });
    await until(() => seen.length === 6, 1000);
    expect(Date.now() - t0).toBeLessThan(250);
    expect(seen).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
    await transport.close();
  });
});
