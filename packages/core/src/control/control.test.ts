/**
 * `app.control` on the memory broker, against stand-in workers that consume their pidbox queues with the same
 * pidbox-message helpers the worker uses: the requests' wire shape (against the captured Python requests), reply
 * collection by ticket, timeout, limit, destination, callback, casts, and the reply consumer's lifetime.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { VECTORS_DIR } from '@q/test-services';
import { afterEach, describe, expect, it } from 'vitest';
import { startResponder, celeryAnswers, type Responder } from '../../test/pidbox-responder.js';
import { createApp, type App } from '../app/app.js';
import type { Logger } from '../contracts/logger.js';
import type { Transport } from '../contracts/transport.js';
import { pyJsonParse } from '../protocol/python-json.js';
import { memoryQueueDriver } from '../transport/memory-queue-driver.js';
import { virtualTransport } from '../transport/virtual-transport.js';
import { encodeControlReply } from './pidbox-message.js';

const apps: App[] = [];
const responders: Responder[] = [];
afterEach(async () => {
  await Promise.all(responders.splice(0).map((r) => r.stop()));
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

function setup(options: { logger?: Logger } = {}) {
  const ns = `control-${randomUUID()}`;
  const app = createApp({ broker: `memory://${ns}`, backend: `memory://${ns}`, ...options });
  apps.push(app);
  const worker = async (node: string, answer = celeryAnswers, delayMs?: number) => {
    const responder = await startResponder(virtualTransport(memoryQueueDriver({ namespace: ns })), node, answer, delayMs === undefined ? {} : { delayMs });
    responders.push(responder);
    return responder;
  };
  return { app, ns, worker };
}

const body = (r: Responder, i = 0) => pyJsonParse(new TextDecoder().decode(r.seen[i]?.message.body)) as Record<string, unknown>;
const captured = (name: string) => (JSON.parse(readFileSync(`${VECTORS_DIR}${name}`, 'utf8')) as { decoded_body: Record<string, unknown> }).decoded_body;

function captureLogger(lines: { level: string; msg: string }[]): Logger {
  const log = (level: string) => (obj: object | string, msg?: string) => void lines.push({ level, msg: typeof obj === 'string' ? obj : (msg ?? '') });
  const logger: Logger = { trace: log('trace'), debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), fatal: log('fatal'), child: () => logger };
  return logger;
}

describe('requests on the wire', () => {
  it('ping is the captured Python request, modulo ticket and oid, with clock and expires headers', async () => {
    const { app, worker } = setup();
    const w1 = await worker('w1@test');
    const before = Date.now();
    const replies = await app.control.ping({ timeout: 0.3 });
    expect(replies).toEqual([{ 'w1@test': { ok: 'pong' } }]);
    const sent = body(w1);
    const python = captured('control-ping-request.json');
    expect(Object.keys(sent)).toEqual(Object.keys(python));
    expect({ ...sent, ticket: 'T', reply_to: { ...(sent['reply_to'] as object), routing_key: 'OID' } }).toEqual({
      ...python,
      ticket: 'T',
      reply_to: { ...(python['reply_to'] as object), routing_key: 'OID' },
    });
    expect((sent['reply_to'] as { routing_key: string }).routing_key).toBe(app.oid);
    const { message } = w1.seen[0]!;
    expect(message.contentType).toBe('application/json');
    expect(message.properties.deliveryMode).toBe(2);
    expect(message.headers['clock']).toBe(1);
    expect(message.headers['expires']).toBeGreaterThanOrEqual((before + 300) / 1000);
    expect(message.headers['expires']).toBeLessThan((Date.now() + 300) / 1000 + 0.001);
  });

  it('revoke sends Celery\'s {task_id, terminate, signal}, one id as a string, several as a list', async () => {
    const { app, worker } = setup();
    const w1 = await worker('w1@test');
    const id = '60ed5b48-e0de-4a39-9a8d-3e49c7635eee';
    expect(await app.control.revoke(id, { reply: true, timeout: 0.3 })).toEqual([{ 'w1@test': { ok: `tasks ${id} flagged as revoked` } }]);
    const python = captured('control-revoke-request.json');
    expect({ ...body(w1), ticket: python['ticket'], reply_to: python['reply_to'] }).toEqual(python);
    await app.control.terminate(['a', 'b'], 'SIGKILL');
    await w1.waitFor(2);
    expect(body(w1, 1)['arguments']).toEqual({ task_id: ['a', 'b'], terminate: true, signal: 'SIGKILL' });
  });

  it('without reply, publishes with neither ticket nor reply_to and resolves [] at once', async () => {
    const { app, worker } = setup();
    const w1 = await worker('w1@test');
    const started = Date.now();
    expect(await app.control.rateLimit('tasks.add', '10/m', { timeout: 5 })).toEqual([]);
    expect(Date.now() - started).toBeLessThan(1000);
    await w1.waitFor(1);
    const sent = body(w1);
    expect(sent).toEqual({ method: 'rate_limit', arguments: { task_name: 'tasks.add', rate_limit: '10/m' }, destination: null, pattern: null, matcher: null });
  });

  it('each method sends the arguments Python sends', async () => {
    const { app, worker } = setup();
    const w1 = await worker('w1@test');
    await app.control.timeLimit('tasks.add', { soft: 10, hard: 20 });
    await app.control.addConsumer('extraq');
    await app.control.addConsumer('q2', { exchange: 'ex', exchangeType: 'topic', routingKey: 'k.#', options: { queue_arguments: { 'x-max-priority': 10 } } });
    await app.control.cancelConsumer('extraq');
    await app.control.poolGrow();
    await app.control.poolShrink(2);
    await app.control.autoscale(4, 2);
    await app.control.poolRestart({ modules: ['tasks'] });
    await app.control.enableEvents();
    await app.control.disableEvents();
    await app.control.heartbeat();
    await app.control.election('x', 't');
    await app.control.shutdown();
    await w1.waitFor(13);
    expect(w1.seen.map((s) => [s.request.method, s.request.arguments])).toEqual([
      ['time_limit', { task_name: 'tasks.add', hard: 20, soft: 10 }],
      ['add_consumer', { queue: 'extraq', exchange: null, exchange_type: 'direct', routing_key: null }],
      ['add_consumer', { queue: 'q2', exchange: 'ex', exchange_type: 'topic', routing_key: 'k.#', queue_arguments: { 'x-max-priority': 10 } }],
      ['cancel_consumer', { queue: 'extraq' }],
      ['pool_grow', { n: 1 }],
      ['pool_shrink', { n: 2 }],
      ['autoscale', { max: 4, min: 2 }],
      ['pool_restart', { modules: ['tasks'], reload: false, reloader: null }],
      ['enable_events', {}],
      ['disable_events', {}],
      ['heartbeat', {}],
      ['election', { id: 'x', topic: 't', action: null }],
      ['shutdown', {}],
    ]);
    expect(w1.seen.every((s) => s.request.ticket === undefined)).toBe(true);
    // The clock moved forward once per request.
    expect(w1.seen.map((s) => s.clock)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
  });

  it('sends a destination as a list (a single name too), and a pattern with its matcher (glob by default)', async () => {
    const { app, worker } = setup();
    const w1 = await worker('w1@test');
    await app.control.enableEvents({ destination: 'w1@test' });
    await app.control.enableEvents({ pattern: 'w*' });
    await app.control.enableEvents({ pattern: 'w1@.*', matcher: 'pcre' });
    await w1.waitFor(3);
    expect(w1.seen.map((s) => [s.request.destination, s.request.pattern, s.request.matcher])).toEqual([
      [['w1@test'], null, null],
      [null, 'w*', 'glob'],
      [null, 'w1@.*', 'pcre'],
    ]);
  });
});

describe('collecting replies', () => {
  it('collects every node\'s reply until the timeout, each passed to the callback as it comes', async () => {
    const { app, worker } = setup();
    await worker('w1@test');
    await worker('w2@test', celeryAnswers, 50);
    const seen: unknown[] = [];
    const started = Date.now();
    const replies = await app.control.broadcast('ping', { reply: true, timeout: 0.4, callback: (r) => seen.push(r) });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(390);
    expect(elapsed).toBeLessThan(1500);
    expect(replies).toEqual([{ 'w1@test': { ok: 'pong' } }, { 'w2@test': { ok: 'pong' } }]);
    expect(seen).toEqual(replies);
  });

  it('collects five workers\' pings within the default timeout of 1 s', async () => {
    const { app, worker } = setup();
    const nodes = ['w1@test', 'w2@test', 'w3@test', 'w4@test', 'w5@test'];
    for (const node of nodes) await worker(node);
    const started = Date.now();
    const replies = await app.control.inspect().ping();
    expect(Date.now() - started).toBeLessThan(1500);
    expect(Object.keys(replies ?? {}).sort()).toEqual(nodes);
  });

  it('stops at limit replies without waiting for the timeout', async () => {
    const { app, worker } = setup();
    await worker('w1@test');
    await worker('w2@test', celeryAnswers, 200);
    const started = Date.now();
    const replies = await app.control.ping({ timeout: 5, limit: 1 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(replies).toEqual([{ 'w1@test': { ok: 'pong' } }]);
  });

  it('with a destination list, only those nodes run it, and the call ends once each replied', async () => {
    const { app, worker } = setup();
    const w1 = await worker('w1@test');
    const w2 = await worker('w2@test');
    const started = Date.now();
    const replies = await app.control.ping({ destination: ['w2@test'], timeout: 5 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(replies).toEqual([{ 'w2@test': { ok: 'pong' } }]);
    expect(w1.seen[0]?.forMe).toBe(false);
    expect(w2.seen[0]?.forMe).toBe(true);
  });

  it('resolves [] when nobody replies within the timeout', async () => {
    const { app } = setup();
    const started = Date.now();
    expect(await app.control.ping({ timeout: 0.2 })).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('returns an unknown command\'s error reply as received', async () => {
    const { app, worker } = setup();
    await worker('w1@test');
    expect(await app.control.broadcast('no_such_cmd', { reply: true, timeout: 0.2 })).toEqual([{ 'w1@test': { error: "KeyError('no_such_cmd')" } }]);
  });

  it('ignores replies for other tickets and skips malformed ones with a log line; the clock moves past replies', async () => {
    const lines: { level: string; msg: string }[] = [];
    const { app, ns, worker } = setup({ logger: captureLogger(lines) });
    await worker('w1@test');
    const transport = virtualTransport(memoryQueueDriver({ namespace: ns }));
    await transport.connect();
    const target = { exchange: 'reply.celery.pidbox', routingKey: app.oid, exchangeType: 'direct' as const };
    const replies = app.control.broadcast('ping', {
      reply: true,
      timeout: 0.4,
      callback: () => {
        void transport.publish(encodeControlReply('intruder@x', { ok: 'pong' }, { ticket: 'someone-else', clock: 500 }), target);
        void transport.publish({ ...encodeControlReply('bad@x', 1, { ticket: 'x', clock: 1 }), body: new TextEncoder().encode('{not json') }, target);
      },
    });
    expect(await replies).toEqual([{ 'w1@test': { ok: 'pong' } }]);
    await transport.close();
    expect(lines.filter((l) => l.level === 'warn').map((l) => l.msg)).toEqual(['malformed remote-control reply dropped']);
    expect(app.clock.value).toBeGreaterThan(500);
  });

  it('fails the call with what the callback throws', async () => {
    const { app, worker } = setup();
    await worker('w1@test');
    const failing = app.control.ping({
      timeout: 2,
      callback: () => {
        throw new Error('printer on fire');
      },
    });
    await expect(failing).rejects.toThrow('printer on fire');
  });

  it('runs concurrent broadcasts apart, each with its own ticket', async () => {
    const { app, worker } = setup();
    await worker('w1@test');
    const [a, b] = await Promise.all([
      app.control.broadcast('clock', { reply: true, timeout: 0.3 }),
      app.control.broadcast('revoked', { reply: true, timeout: 0.3 }),
    ]);
    expect(a).toEqual([{ 'w1@test': { clock: 142 } }]);
    expect(b).toEqual([{ 'w1@test': [] }]);
  });

  it('app.close() ends a collection under way with what it has, and the next call consumes again', async () => {
    const { app, worker } = setup();
    await worker('w1@test');
    const started = Date.now();
    const pending = app.control.ping({ timeout: 10, callback: () => void app.close() });
    expect(await pending).toEqual([{ 'w1@test': { ok: 'pong' } }]);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await app.control.ping({ timeout: 5, limit: 1 })).toEqual([{ 'w1@test': { ok: 'pong' } }]);
  });
});

describe('transports', () => {
  it('refuses a transport without fanout with Q_ERR_CAPABILITY_UNSUPPORTED', async () => {
    const inner = virtualTransport(memoryQueueDriver({ namespace: `control-${randomUUID()}` }));
    const noFanout: Transport = {
      capabilities: { ...inner.capabilities, fanout: false },
      connect: () => inner.connect(),
      close: () => inner.close(),
      declareExchange: (e) => inner.declareExchange(e),
      declareQueue: (q) => inner.declareQueue(q),
      bindQueue: (b) => inner.bindQueue(b),
      publish: (m, t) => inner.publish(m, t),
      consume: (q, h, o) => inner.consume(q, h, o),
      purge: (q) => inner.purge(q),
      describe: () => 'no-fanout://',
    };
    const app = createApp({ broker: noFanout, backend: null });
    apps.push(app);
    await expect(app.control.ping()).rejects.toMatchObject({ code: 'Q_ERR_CAPABILITY_UNSUPPORTED', name: 'ConfigError' });
  });
});

describe('purge', () => {
  it('empties the default queue and the declared queues and counts what it removed', async () => {
    const ns = `control-${randomUUID()}`;
    const app = createApp({ broker: `memory://${ns}`, backend: null, task: { queues: [{ name: 'low' }] } });
    apps.push(app);
    await app.sendTask('a');
    await app.sendTask('b');
    await app.sendTask('c', [], {}, { queue: 'low' });
    expect(await app.control.purge()).toBe(3);
    expect(await app.control.purge()).toBe(0);
  });
});

describe('revoking from results', () => {
  it('AsyncResult.revoke sends one revoke; with wait it waits for the replies', async () => {
    const { app, worker } = setup();
    const w1 = await worker('w1@test');
    await app.asyncResult('id-1').revoke({ terminate: true, signal: 'SIGUSR1' });
    await w1.waitFor(1);
    expect(w1.seen[0]?.request.arguments).toEqual({ task_id: 'id-1', terminate: true, signal: 'SIGUSR1' });
    expect(w1.seen[0]?.request.ticket).toBeUndefined();
    await app.asyncResult('id-2').revoke({ wait: true, timeout: 0.3 });
    expect(w1.seen[1]?.request.ticket).toBeDefined();
    expect(w1.seen[1]?.request.arguments).toEqual({ task_id: 'id-2', terminate: false, signal: 'SIGTERM' });
  });

  it('GroupResult.revoke sends every member id (a nested group\'s too) in one request', async () => {
    const { app, worker } = setup();
    const w1 = await worker('w1@test');
    const inner = app.groupResult('g2', [app.asyncResult('c')]);
    await app.groupResult('g1', [app.asyncResult('a'), app.asyncResult('b'), inner]).revoke();
    await w1.waitFor(1);
    expect(w1.seen).toHaveLength(1);
    expect(w1.seen[0]?.request.arguments).toEqual({ task_id: ['a', 'b', 'c'], terminate: false, signal: 'SIGTERM' });
  });
});
