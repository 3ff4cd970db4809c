import { randomUUID } from 'node:crypto';
import { LamportClock, type Transport } from '@q/core';
import { memoryQueueDriver, virtualTransport } from '@q/core/adapter';
import { readVector, recordingLogger } from '@q/test-services';
import { afterEach, describe, expect, it } from 'vitest';
import { EventDispatcher } from '../dispatcher/event-dispatcher.js';
import type { QEvent } from '../wire/event.js';
import { encodeEvents } from '../wire/event-message.js';
import { utcoffset } from '../wire/utcoffset.js';
import { EventReceiver } from './event-receiver.js';
import { CLIENT_CLOCK_SKEW, prepareEvent } from './localize.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function memory(): Promise<Transport> {
  const transport = virtualTransport(memoryQueueDriver({ namespace: `events-${randomUUID()}` }), { pollIntervalMs: 10 });
  await transport.connect();
  cleanups.push(() => transport.close());
  return transport;
}

function receiver(options: ConstructorParameters<typeof EventReceiver>[0]): EventReceiver {
  const r = new EventReceiver(options);
  cleanups.push(() => r.stop());
  return r;
}

function dispatcher(transport: Transport, options: Partial<ConstructorParameters<typeof EventDispatcher>[0]> = {}): EventDispatcher {
  const d = new EventDispatcher({ transport, hostname: 'w1@test', clock: new LamportClock(), ...options });
  cleanups.push(() => d.close());
  return d;
}

const event = (type: string, extra: Record<string, unknown> = {}): QEvent => ({ type, hostname: 'w1@test', timestamp: 1000, utcoffset: 0, pid: 1, clock: 5, ...extra });

describe('prepareEvent (Celery event_from_message)', () => {
  it('adjusts the receiver clock to the event clock', () => {
    const clock = new LamportClock(3);
    const e = prepareEvent(event('task-started', { clock: 10 }), { clock, nowMs: 2_000_000, localUtcoffset: 0 });
    expect(e.clock).toBe(10);
    expect(clock.value).toBe(11);
    expect(e.local_received).toBe(2000);
  });

  it('task-sent: the client clock is replaced by (receiver value || 1) + CLIENT_CLOCK_SKEW, then adjusted', () => {
    const clock = new LamportClock(7);
    const e = prepareEvent(event('task-sent', { clock: 500 }), { clock, nowMs: 0, localUtcoffset: 0 });
    expect(e.clock).toBe(7 + CLIENT_CLOCK_SKEW);
    expect(clock.value).toBe(8);
    const fresh = new LamportClock(0);
    expect(prepareEvent(event('task-sent', { clock: 500 }), { clock: fresh, nowMs: 0, localUtcoffset: 0 }).clock).toBe(0);
    expect(fresh.value).toBe(1);
  });

  it('an event without a clock gets the receiver next tick', () => {
    const clock = new LamportClock(4);
    const e = event('worker-heartbeat');
    delete (e as Partial<QEvent>).clock;
    expect(prepareEvent(e, { clock, nowMs: 0, localUtcoffset: 0 }).clock).toBe(5);
  });

  it('localizes the timestamp with the sender and local utcoffset, unless told not to', () => {
    const clock = new LamportClock();
    expect(prepareEvent(event('task-started', { utcoffset: -2 }), { clock, nowMs: 0, localUtcoffset: 0 }).timestamp).toBe(1000 + 7200);
    expect(prepareEvent(event('task-started', { utcoffset: 5 }), { clock, nowMs: 0, localUtcoffset: 5 }).timestamp).toBe(1000);
    expect(prepareEvent(event('task-started', { utcoffset: -2 }), { clock, nowMs: 0, localUtcoffset: 0, localize: false }).timestamp).toBe(1000);
    const noOffset = event('task-started');
    delete (noOffset as Partial<QEvent>).utcoffset;
    expect(prepareEvent(noOffset, { clock, nowMs: 0, localUtcoffset: 3 }).timestamp).toBe(1000);
  });
});

describe('EventReceiver on the memory transport', () => {
  it('round trip: dispatcher events reach type handlers, "*" gets the types without one, batches in order', async () => {
    const transport = await memory();
    const got: string[] = [];
    const all: QEvent[] = [];
    const r = receiver({ transport, handlers: { 'worker-online': (e) => got.push(`online:${e.hostname}`), '*': (e) => all.push(e) } });
    await r.start();
    const captured = r.capture({ limit: 4, timeout: 5 });
    const d = dispatcher(transport, { bufferGroups: ['task'] });
    d.send('worker-online', { freq: 2 });
    d.send('task-received', { uuid: 'a' });
    d.send('task-started', { uuid: 'a' });
    d.send('task-succeeded', { uuid: 'a', result: '5' });
    await d.flush();
    await captured;
    expect(got).toEqual(['online:w1@test']);
    expect(all.map((e) => e.type)).toEqual(['task-received', 'task-started', 'task-succeeded']);
    expect(all.every((e) => typeof e.local_received === 'number' && e.uuid === 'a')).toBe(true);
    expect(r.received).toBe(4);
    expect(r.clock.value).toBeGreaterThan(4);
  });

  it('declares the queue celeryev.<id> bound with its routing key: worker.# gets worker events only', async () => {
    const transport = await memory();
    const seen: string[] = [];
    const r = receiver({ transport, routingKey: 'worker.#', queueId: 'gossip1', handlers: { '*': (e) => seen.push(e.type) } });
    expect(r.queue).toBe('celeryev.gossip1');
    const d = dispatcher(transport, { bufferGroups: ['task'] });
    await r.start();
    const captured = r.capture({ limit: 2, timeout: 5 });
    d.send('task-received', { uuid: 'x' });
    d.send('worker-online', {});
    d.send('task-started', { uuid: 'x' });
    d.send('worker-heartbeat', {});
    await d.flush();
    await captured;
    expect(seen).toEqual(['worker-online', 'worker-heartbeat']);
  });

  it('malformed messages and events and throwing handlers are logged and reported, never break the receiver', async () => {
    const transport = await memory();
    const logger = recordingLogger();
    const errors: string[] = [];
    const handled: string[] = [];
    const r = receiver({
      transport,
      logger,
      onError: (reason) => errors.push(reason),
      handlers: {
        'task-failed': () => {
          throw new Error('handler bug');
        },
        '*': (e) => handled.push(e.type),
      },
    });
    await r.start();
    const captured = r.capture({ limit: 2, timeout: 5 });
    const publish = (body: Uint8Array) => transport.publish({ ...encodeEvents({ type: 'x' }, 'h'), body }, { exchange: 'celeryev', routingKey: 'task.multi', exchangeType: 'topic' });
    await publish(new TextEncoder().encode('{not json'));
    await publish(new TextEncoder().encode(JSON.stringify([event('task-failed'), { type: 'task-started' }, event('task-started')])));
    await captured;
    expect(handled).toEqual(['task-started']);
    expect(errors).toEqual([expect.stringMatching(/not JSON/), expect.stringMatching(/event 1 of the batch skipped: task-started: "hostname"/), 'handler of task-failed failed']);
    expect(logger.lines.filter((l) => l.level === 'warn')).toHaveLength(3);
  });

  it('decodes the captured Python events as Celery would hand them on', async () => {
    const transport = await memory();
    const got: QEvent[] = [];
    const r = receiver({ transport, handlers: { '*': (e) => got.push(e) }, now: () => 1_795_315_200_000 });
    await r.start();
    const captured = r.capture({ limit: 2, timeout: 5 });
    const vector = readVector<{ decoded_body: Record<string, unknown>[] }>('event-redis-task-multi-envelope.json');
    await transport.publish(encodeEvents(vector.decoded_body as { type: string }[], 'w1@cap'), { exchange: 'celeryev', routingKey: 'task.multi', exchangeType: 'topic' });
    await captured;
    const local = utcoffset(new Date(1_795_315_200_000));
    expect(got.map((e) => [e.uuid, e.clock, e.timestamp, e.local_received])).toEqual([
      ['a54e8931-a550-4908-8288-6bbe93be50b1', 35, 1795315182.4934149 + local * 3600, 1_795_315_200],
      ['1f305e10-ea38-400b-bf10-cdc6f9536258', 36, 1795315182.4934611 + local * 3600, 1_795_315_200],
    ]);
    expect(r.clock.value).toBe(37);
  });

  it('capture resolves on timeout and on abort; stop ends captures under way; start is idempotent', async () => {
    const transport = await memory();
    const r = receiver({ transport });
    await Promise.all([r.start(), r.start()]);
    await r.capture({ timeout: 0.01 });
    const controller = new AbortController();
    const aborted = r.capture({ signal: controller.signal });
    controller.abort();
    await aborted;
    const forever = r.capture();
    await r.stop();
    await forever;
    // a stop while starting ends the capture too
    const during = r.capture();
    await r.stop();
    await during;
  });

  it('a transport with neither fanout nor topic cannot start', async () => {
    const transport = await memory();
    const limited: Transport = {
      capabilities: { ...transport.capabilities, fanout: false, topic: false },
      connect: () => transport.connect(),
      close: () => transport.close(),
      declareExchange: (x) => transport.declareExchange(x),
      declareQueue: (q) => transport.declareQueue(q),
      bindQueue: (b) => transport.bindQueue(b),
      publish: (m, t) => transport.publish(m, t),
      consume: (q, h, o) => transport.consume(q, h, o),
      purge: (q) => transport.purge(q),
      describe: () => 'sqs://',
    };
    const r = receiver({ transport: limited });
    await expect(r.start()).rejects.toMatchObject({ code: 'Q_ERR_CAPABILITY_UNSUPPORTED' });
  });
});
