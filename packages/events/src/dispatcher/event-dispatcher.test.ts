import { LamportClock, type Message, type Transport } from '@q/core';
import { ConfigError, type ExchangeDeclaration, type PublishTarget, type TransportCapabilities } from '@q/core/adapter';
import { recordingLogger } from '@q/test-services';
import { describe, expect, it } from 'vitest';
import { EventDispatcher, eventExchangeFor } from './event-dispatcher.js';

const TOPIC: TransportCapabilities = { priorities: 'none', nativeDelay: false, fanout: true, topic: true, push: true, redeliversUnacked: 'immediate' };
const PUBSUB: TransportCapabilities = { ...TOPIC, pubsubFanout: true };
const NONE: TransportCapabilities = { ...TOPIC, fanout: false, topic: false };

interface Published {
  body: unknown;
  message: Message;
  target: PublishTarget;
}

/** A transport that records what is declared and published; `fail` makes publishes throw. */
function fakeTransport(capabilities: TransportCapabilities = TOPIC) {
  const published: Published[] = [];
  const declared: ExchangeDeclaration[] = [];
  const state = { fail: false, delayMs: 0, inFlight: 0, maxInFlight: 0 };
  const transport: Transport = {
    capabilities,
    connect: async () => {},
    close: async () => {},
    declareExchange: async (exchange) => void declared.push(exchange),
    declareQueue: async () => {},
    bindQueue: async () => {},
    // Recorded in call order (a real transport sends in call order), settled after a random delay.
    publish: async (message, target) => {
      if (state.fail) throw new Error('broker down');
      published.push({ body: JSON.parse(new TextDecoder().decode(message.body)), message, target: { ...target } });
      state.inFlight += 1;
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
      if (state.delayMs > 0) await new Promise((r) => setTimeout(r, state.delayMs * Math.random()));
      state.inFlight -= 1;
    },
    consume: async () => {
      throw new Error('not used');
    },
    purge: async () => 0,
    describe: () => 'fake://',
  };
  return { transport, published, declared, state };
}

const NOW = 1_795_315_181_350;

function make(options: Partial<ConstructorParameters<typeof EventDispatcher>[0]> = {}, capabilities?: TransportCapabilities) {
  const fake = fakeTransport(capabilities);
  const clock = new LamportClock(10);
  const logger = recordingLogger();
  const dispatcher = new EventDispatcher({ transport: fake.transport, hostname: 'w1@test', clock, pid: 4242, now: () => NOW, logger, ...options });
  return { ...fake, clock, logger, dispatcher };
}

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('EventDispatcher.send', () => {
  it('publishes one event as Celery: stamps in Celery key order, routing key from the type, JSON, transient, hostname header', async () => {
    const { dispatcher, published, declared, clock } = make();
    dispatcher.send('task-succeeded', { uuid: 'u1', result: '5', runtime: 0.25 });
    await dispatcher.flush();
    expect(published).toHaveLength(1);
    const [p] = published;
    expect(p?.target).toEqual({ exchange: 'celeryev', exchangeType: 'topic', routingKey: 'task.succeeded' });
    expect(p?.message.headers).toEqual({ hostname: 'w1@test' });
    expect(p?.message.properties).toEqual({ deliveryMode: 1 });
    expect(p?.message.contentType).toBe('application/json');
    expect(Object.keys(p?.body as object)).toEqual(['hostname', 'utcoffset', 'pid', 'clock', 'uuid', 'result', 'runtime', 'timestamp', 'type']);
    expect(p?.body).toMatchObject({ hostname: 'w1@test', pid: 4242, clock: 11, uuid: 'u1', timestamp: NOW / 1000, type: 'task-succeeded' });
    expect(Number.isInteger((p?.body as { utcoffset: number }).utcoffset)).toBe(true);
    expect(clock.value).toBe(11);
    expect(declared).toEqual([{ name: 'celeryev', type: 'topic', durable: true, autoDelete: false }]);
    await dispatcher.close();
  });

  it('keeps a timestamp given in fields; the stamps win over fields of the same name', async () => {
    const { dispatcher, published } = make();
    dispatcher.send('worker-heartbeat', { timestamp: 5.5, hostname: 'other', clock: 999, freq: 2 });
    await dispatcher.flush();
    expect(published[0]?.body).toMatchObject({ hostname: 'w1@test', clock: 11, timestamp: 5.5, freq: 2, type: 'worker-heartbeat' });
    await dispatcher.close();
  });

  it('sends only the groups asked for, without moving the clock for others; groups can be added and removed', async () => {
    const { dispatcher, published, clock } = make({ groups: ['worker'] });
    dispatcher.send('task-received', { uuid: 'a' });
    dispatcher.send('worker-online', {});
    expect(clock.value).toBe(11);
    dispatcher.addGroup('task');
    expect(dispatcher.groups).toEqual(['worker', 'task']);
    dispatcher.send('task-received', { uuid: 'b' });
    dispatcher.removeGroup('task');
    dispatcher.send('task-started', { uuid: 'b' });
    await dispatcher.flush();
    expect(published.map((p) => p.target.routingKey)).toEqual(['worker.online', 'task.received']);
    await dispatcher.close();
  });

  it('null or empty groups send everything; removeGroup then changes nothing (Celery)', async () => {
    const { dispatcher, published } = make({ groups: [] });
    expect(dispatcher.groups).toBeNull();
    dispatcher.removeGroup('task');
    dispatcher.addGroup('task');
    expect(dispatcher.groups).toBeNull();
    dispatcher.send('custom-thing', { x: 1 });
    await dispatcher.flush();
    expect(published.map((p) => p.target.routingKey)).toEqual(['custom.thing']);
    await dispatcher.close();
  });

  it('disabled sends nothing until enabled', async () => {
    const { dispatcher, published, clock } = make({ enabled: false });
    expect(dispatcher.enabled).toBe(false);
    dispatcher.send('worker-online', {});
    dispatcher.enable();
    dispatcher.send('worker-heartbeat', {});
    dispatcher.disable();
    dispatcher.send('worker-offline', {});
    await dispatcher.flush();
    expect(published.map((p) => p.target.routingKey)).toEqual(['worker.heartbeat']);
    expect(clock.value).toBe(11);
    await dispatcher.close();
  });

  it('keeps order over publishes that take varying time', async () => {
    const { dispatcher, published, state } = make();
    state.delayMs = 3;
    for (let i = 0; i < 30; i++) dispatcher.send('worker-heartbeat', { n: i });
    await dispatcher.flush();
    expect(published.map((p) => (p.body as { n: number }).n)).toEqual([...Array(30).keys()]);
    expect(published.map((p) => (p.body as { clock: number }).clock)).toEqual([...Array(30).keys()].map((i) => 11 + i));
    await dispatcher.close();
  });

  it('hands every waiting message to the transport at once (pipelined), not one round trip each', async () => {
    const { dispatcher, published, state } = make();
    state.delayMs = 5;
    for (let i = 0; i < 20; i++) dispatcher.send('worker-heartbeat', { n: i });
    await dispatcher.flush();
    expect(published).toHaveLength(20);
    expect(state.maxInFlight).toBe(20);
    await dispatcher.close();
  });

  it('counts a message as waiting until the transport settled it (the cap covers what is in flight)', async () => {
    const { dispatcher, published, state } = make({ maxPending: 3 });
    state.delayMs = 20;
    for (let i = 0; i < 3; i++) dispatcher.send('worker-heartbeat', { n: i });
    await tick();
    dispatcher.send('worker-heartbeat', { n: 3 });
    await dispatcher.flush();
    expect(published.map((p) => (p.body as { n: number }).n)).toEqual([0, 1, 2]);
    expect(dispatcher.dropped).toBe(1);
    await dispatcher.close();
  });
});

describe('buffered groups', () => {
  it('task events of one turn leave as one task.multi message with an array body, after the unbuffered ones', async () => {
    const { dispatcher, published } = make({ bufferGroups: ['task'] });
    dispatcher.send('task-received', { uuid: 'a' });
    dispatcher.send('task-started', { uuid: 'a' });
    dispatcher.send('worker-heartbeat', {});
    dispatcher.send('task-succeeded', { uuid: 'a' });
    await tick();
    await dispatcher.flush();
    expect(published.map((p) => p.target.routingKey)).toEqual(['worker.heartbeat', 'task.multi']);
    const batch = published[1]?.body as { type: string; clock: number }[];
    expect(batch.map((e) => e.type)).toEqual(['task-received', 'task-started', 'task-succeeded']);
    expect(batch.map((e) => e.clock)).toEqual([11, 12, 14]);
    await dispatcher.close();
  });

  it('flushes at bufferLimit, the rest on the next turn', async () => {
    const { dispatcher, published } = make({ bufferGroups: ['task'], bufferLimit: 2 });
    for (let i = 0; i < 5; i++) dispatcher.send('task-started', { n: i });
    await tick();
    await dispatcher.flush();
    expect(published.map((p) => (p.body as { n: number }[]).map((e) => e.n))).toEqual([[0, 1], [2, 3], [4]]);
    await dispatcher.close();
  });

  it('flush() and close() publish what is buffered; after close sends are no-ops', async () => {
    const { dispatcher, published } = make({ bufferGroups: ['task'] });
    dispatcher.send('task-started', { n: 1 });
    await dispatcher.close();
    expect(published.map((p) => p.target.routingKey)).toEqual(['task.multi']);
    expect(dispatcher.enabled).toBe(false);
    dispatcher.send('task-started', { n: 2 });
    dispatcher.send('worker-online', {});
    await dispatcher.flush();
    expect(published).toHaveLength(1);
  });
});

describe('exchange and transport', () => {
  it('declares celeryev as fanout on a pub/sub transport, once, and publishes with exchangeType fanout', async () => {
    const { dispatcher, published, declared } = make({ exchange: 'myev' }, PUBSUB);
    dispatcher.send('worker-online', {});
    await dispatcher.flush();
    dispatcher.send('worker-heartbeat', {});
    await dispatcher.flush();
    expect(declared).toEqual([{ name: 'myev', type: 'fanout', durable: true, autoDelete: false }]);
    expect(published.map((p) => p.target)).toEqual([
      { exchange: 'myev', exchangeType: 'fanout', routingKey: 'worker.online' },
      { exchange: 'myev', exchangeType: 'fanout', routingKey: 'worker.heartbeat' },
    ]);
    await dispatcher.close();
  });

  it('eventExchangeFor picks fanout, topic, or nothing from the capabilities', () => {
    expect(eventExchangeFor(PUBSUB)?.type).toBe('fanout');
    expect(eventExchangeFor(TOPIC)?.type).toBe('topic');
    expect(eventExchangeFor({ ...TOPIC, topic: false })?.type).toBe('fanout');
    expect(eventExchangeFor(NONE)).toBeNull();
  });

  it('a transport with neither fanout nor topic: one warning, nothing sent, no throw', async () => {
    const { dispatcher, published, declared, logger } = make({}, NONE);
    dispatcher.send('worker-online', {});
    await dispatcher.flush();
    dispatcher.send('worker-heartbeat', {});
    await dispatcher.flush();
    expect(published).toEqual([]);
    expect(declared).toEqual([]);
    expect(logger.lines.filter((l) => l.level === 'warn').map((l) => l.msg)).toEqual(['the transport has neither fanout nor topic exchanges: events are not sent']);
    expect(dispatcher.dropped).toBe(2);
    await dispatcher.close();
  });

  it('asks a transport getter once per burst of events', async () => {
    const fake = fakeTransport();
    let asked = 0;
    const dispatcher = new EventDispatcher({ transport: async () => (asked++, fake.transport), hostname: 'h', clock: new LamportClock() });
    for (let i = 0; i < 10; i++) dispatcher.send('worker-heartbeat', {});
    await dispatcher.flush();
    expect(asked).toBe(1);
    expect(fake.published).toHaveLength(10);
    await dispatcher.close();
  });

  it('a getter that fails drops the events with a warning, and the next burst tries again', async () => {
    const fake = fakeTransport();
    let fail = true;
    const logger = recordingLogger();
    const dispatcher = new EventDispatcher({ transport: async () => (fail ? Promise.reject(new Error('not connected')) : fake.transport), hostname: 'h', clock: new LamportClock(), logger });
    dispatcher.send('worker-online', {});
    await dispatcher.flush();
    fail = false;
    dispatcher.send('worker-heartbeat', {});
    await dispatcher.flush();
    expect(fake.published.map((p) => p.target.routingKey)).toEqual(['worker.heartbeat']);
    expect(logger.lines.map((l) => l.msg)).toContain('event transport unavailable: events dropped');
    expect(dispatcher.dropped).toBe(1);
    await dispatcher.close();
  });
});

describe('failures never reach the sender', () => {
  it('publish errors are logged at most once per interval, with a count, and the dispatcher keeps going', async () => {
    const { dispatcher, published, state, logger } = make();
    state.fail = true;
    for (let i = 0; i < 50; i++) expect(() => dispatcher.send('worker-heartbeat', { n: i })).not.toThrow();
    await dispatcher.flush();
    const warnings = logger.lines.filter((l) => l.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.msg).toBe('event publish failed: events dropped');
    expect(dispatcher.dropped).toBe(50);
    state.fail = false;
    dispatcher.send('worker-heartbeat', { n: 50 });
    await dispatcher.flush();
    expect(published.map((p) => (p.body as { n: number }).n)).toEqual([50]);
    await dispatcher.close();
    // close reports what was lost since the last warning
    expect(logger.lines.at(-1)).toMatchObject({ level: 'warn', msg: 'events dropped since the last warning', obj: { dropped: 49, final: true } });
  });

  it('caps what waits for publishing and counts the drops', async () => {
    const { dispatcher, published } = make({ maxPending: 3 });
    for (let i = 0; i < 5; i++) dispatcher.send('worker-heartbeat', { n: i });
    await dispatcher.flush();
    expect(published.map((p) => (p.body as { n: number }).n)).toEqual([0, 1, 2]);
    expect(dispatcher.dropped).toBe(2);
    await dispatcher.close();
  });

  it('an event JSON cannot carry is dropped and logged, not thrown', async () => {
    const { dispatcher, published, logger } = make();
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(() => dispatcher.send('worker-heartbeat', { cyclic })).not.toThrow();
    dispatcher.send('worker-heartbeat', { n: 1 });
    await dispatcher.flush();
    expect(published).toHaveLength(1);
    expect(logger.lines.some((l) => l.level === 'warn')).toBe(true);
    await dispatcher.close();
  });

  it('refuses a serializer other than json at construction', () => {
    const { transport } = fakeTransport();
    expect(() => new EventDispatcher({ transport, hostname: 'h', clock: new LamportClock(), serializer: 'pickle' })).toThrow(ConfigError);
    expect(() => new EventDispatcher({ transport, hostname: 'h', clock: new LamportClock(), bufferLimit: 0 })).toThrow(ConfigError);
  });
});
