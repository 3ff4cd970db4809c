import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/q-error.js';
import type { AppOptions } from '../config/options.js';
import { resolveConfig } from '../config/resolve-config.js';
import { queueTopology, resolveRoute, withRouteOptions } from './routing.js';
import { checkTransportSupport } from './check-transport-support.js';
import type { Transport } from '../contracts/transport.js';

const conf = (task: AppOptions['task'] = {}) => resolveConfig({ task });

describe('resolveRoute', () => {
  it('sends a plain task to the default exchange "" with routing key = queue name (spec §1.9)', () => {
    expect(resolveRoute(conf(), 'tasks.add')).toEqual({
      queue: 'celery', exchange: '', routingKey: 'celery', exchangeType: 'direct', priority: null, options: {},
    });
  });

  it('routes by exact name before globs, and globs in declaration order', () => {
    const c = conf({ routes: { 'feed.*': { queue: 'feeds' }, 'feed.import': { queue: 'imports', priority: 3 }, '*': { queue: 'misc' } } });
    expect(resolveRoute(c, 'feed.import')).toMatchObject({ queue: 'imports', routingKey: 'imports', priority: 3 });
    expect(resolveRoute(c, 'feed.fetch')).toMatchObject({ queue: 'feeds', exchange: '', routingKey: 'feeds' });
    expect(resolveRoute(c, 'other')).toMatchObject({ queue: 'misc' });
  });

  it('applies Celery precedence: applyAsync options > task options > routes > default', () => {
    const c = conf({ routes: { 'a.*': { queue: 'routed', priority: 1 } } });
    expect(resolveRoute(c, 'a.b', {}, { queue: 'taskq' })).toMatchObject({ queue: 'taskq', priority: 1 });
    expect(resolveRoute(c, 'a.b', { queue: 'callq', priority: 9 }, { queue: 'taskq', priority: 5 })).toMatchObject({
      queue: 'callq', priority: 9,
    });
    expect(resolveRoute(conf({ defaultPriority: 4 }), 'x')).toMatchObject({ priority: 4 });
  });

  it('publishes topic queues to their exchange with their routing key', () => {
    const c = conf({ queues: [{ name: 'logs', exchange: 'logex', exchangeType: 'topic', routingKey: 'log.info' }] });
    expect(resolveRoute(c, 't', { queue: 'logs' })).toEqual({
      queue: 'logs', exchange: 'logex', routingKey: 'log.info', exchangeType: 'topic', priority: null, options: {},
    });
    expect(resolveRoute(c, 't', { queue: 'logs', routingKey: 'log.error' })).toMatchObject({ routingKey: 'log.error' });
  });

  it('keeps an explicit exchange and routing key for a direct queue', () => {
    expect(resolveRoute(conf(), 't', { exchange: 'celery', routingKey: 'celery' })).toMatchObject({ exchange: 'celery', routingKey: 'celery' });
  });

  it('caches routes without call options, keyed by task options, and hands out copies', () => {
    const c = conf({ routes: { 'a.*': { queue: 'routed' } } });
    const first = resolveRoute(c, 'a.b');
    first.queue = 'mutated';
    expect(resolveRoute(c, 'a.b')).toMatchObject({ queue: 'routed', routingKey: 'routed' });
    expect(resolveRoute(c, 'a.b', {}, { queue: 'own' })).toMatchObject({ queue: 'own' });
    expect(resolveRoute(c, 'a.b', {}, { priority: 7 })).toMatchObject({ queue: 'routed', priority: 7 });
    expect(resolveRoute(c, 'a.b', { queue: 'call' })).toMatchObject({ queue: 'call' });
    expect(resolveRoute(c, 'a.b')).toMatchObject({ queue: 'routed', priority: null });
    // another config with the same task name has its own routes
    expect(resolveRoute(conf(), 'a.b')).toMatchObject({ queue: 'celery' });
  });

  it('refuses undeclared queues when createMissingQueues is false', () => {
    const c = conf({ createMissingQueues: false, queues: [{ name: 'celery' }] });
    expect(() => resolveRoute(c, 't', { queue: 'nope' })).toThrow(ConfigError);
    expect(resolveRoute(c, 't')).toMatchObject({ queue: 'celery' });
  });
});

describe('queueTopology', () => {
  it("declares Celery's flags: durable direct exchange and queue, bound with the queue name", () => {
    expect(queueTopology(conf(), 'celery')).toEqual({
      queue: { name: 'celery', durable: true, exclusive: false, autoDelete: false },
      exchange: { name: 'celery', type: 'direct', durable: true, autoDelete: false },
      binding: { queue: 'celery', exchange: 'celery', routingKey: 'celery' },
    });
  });

  it('adds x-max-priority from the queue or task.queueMaxPriority', () => {
    expect(queueTopology(conf({ queueMaxPriority: 10 }), 'x').queue).toMatchObject({ arguments: { 'x-max-priority': 10 }, maxPriority: 10 });
    expect(queueTopology(conf({ queues: [{ name: 'p', maxPriority: 5 }] }), 'p').queue.arguments).toEqual({ 'x-max-priority': 5 });
  });

  it('uses the default exchange/routing key names for the default queue', () => {
    const c = conf({ defaultQueue: 'jobs', defaultExchange: 'jobs-ex', defaultRoutingKey: 'jobs-key' });
    expect(queueTopology(c, 'jobs').binding).toEqual({ queue: 'jobs', exchange: 'jobs-ex', routingKey: 'jobs-key' });
  });
});

describe("queueTopology binds queues as Celery's app.amqp.queues", () => {
  const binding = (c: ReturnType<typeof conf>, name: string) => {
    const t = queueTopology(c, name);
    return [t.exchange.name, t.exchange.type, t.binding.routingKey];
  };

  it('task.queues entries take the default exchange (of task.defaultExchangeType) and routing key when they name none', () => {
    const c = conf({
      defaultExchangeType: 'topic',
      queues: [{ name: 'foo' }, { name: 'bar', routingKey: 'bar.#' }, { name: 'tq', exchange: 'tex', exchangeType: 'topic', routingKey: 'a.*' }],
    });
    expect(binding(c, 'foo')).toEqual(['celery', 'topic', 'celery']);
    expect(binding(c, 'bar')).toEqual(['celery', 'topic', 'bar.#']);
    expect(binding(c, 'tq')).toEqual(['tex', 'topic', 'a.*']);
    // missing queues, and the default queue left out of task.queues, are created on a direct exchange of their own
    expect(binding(c, 'missing')).toEqual(['missing', 'direct', 'missing']);
    expect(binding(c, 'celery')).toEqual(['celery', 'direct', 'celery']);
  });

  it('without task.queues the default queue is bound to the default exchange of task.defaultExchangeType', () => {
    const c = conf({ defaultQueue: 'jobs', defaultExchange: 'jobs-ex', defaultExchangeType: 'topic', defaultRoutingKey: 'jobs.#' });
    expect(binding(c, 'jobs')).toEqual(['jobs-ex', 'topic', 'jobs.#']);
    // it exists even when missing queues are not created
    expect(binding(conf({ createMissingQueues: false }), 'celery')).toEqual(['celery', 'direct', 'celery']);
  });

  it('publishes to a topic default queue through its exchange, and to direct queues anonymously (spec §1.9)', () => {
    const c = conf({ defaultExchangeType: 'topic', queues: [{ name: 'foo' }, { name: 'plain', exchange: 'plain' }] });
    expect(resolveRoute(c, 't', { queue: 'foo' })).toMatchObject({ exchange: 'celery', routingKey: 'celery', exchangeType: 'topic' });
    expect(resolveRoute(c, 't', { queue: 'plain' })).toMatchObject({ exchange: '', routingKey: 'plain', exchangeType: 'direct' });
  });
});

describe('route publish options', () => {
  it('carries what the route sets besides routing; the task’s own value wins over the route', () => {
    const c = conf({ routes: { 't.*': { queue: 'q', serializer: 'pickle', expires: 60, timeLimit: 30, headers: { a: 1 } } } });
    expect(resolveRoute(c, 't.x').options).toEqual({ serializer: 'pickle', expires: 60, timeLimit: 30, headers: { a: 1 } });
    expect(resolveRoute(c, 't.x', {}, { serializer: 'json', timeLimit: 5 }).options).toEqual({
      serializer: 'json', expires: 60, timeLimit: 5, headers: { a: 1 },
    });
    // the task's own options alone are not route options (they apply as before)
    expect(resolveRoute(conf(), 't.x', {}, { serializer: 'json' }).options).toEqual({});
  });

  it('withRouteOptions: the call wins, headers merge key by key', () => {
    const c = conf({ routes: { t: { expires: 60, softTimeLimit: 9, headers: { a: 1, b: 1 } } } });
    const r = resolveRoute(c, 't');
    expect(withRouteOptions({ expires: 5, headers: { b: 2 } }, r)).toEqual({ expires: 5, softTimeLimit: 9, headers: { a: 1, b: 2 } });
    expect(withRouteOptions({}, r)).toEqual({ expires: 60, softTimeLimit: 9, headers: { a: 1, b: 1 } });
  });

  it('asks a router function on every call (not cached): it may route by arguments', () => {
    const c = conf({ routes: (_name, args) => ({ queue: `shard-${String(args[0])}` }) });
    expect(resolveRoute(c, 't', {}, {}, { args: [1] }).queue).toBe('shard-1');
    expect(resolveRoute(c, 't', {}, {}, { args: [2] }).queue).toBe('shard-2');
  });
});

describe('task.inheritParentPriority', () => {
  it('a call with no priority of its own, its task’s or its route’s takes the parent’s, before task.defaultPriority', () => {
    const on = conf({ inheritParentPriority: true, defaultPriority: 1, routes: { 'r.*': { priority: 4 } } });
    expect(resolveRoute(on, 't', {}, {}, { parentPriority: 7 }).priority).toBe(7);
    expect(resolveRoute(on, 't', {}, {}, { parentPriority: null }).priority).toBe(1);
    expect(resolveRoute(on, 'r.x', {}, {}, { parentPriority: 7 }).priority).toBe(4);
    expect(resolveRoute(on, 't', {}, { priority: 2 }, { parentPriority: 7 }).priority).toBe(2);
    expect(resolveRoute(on, 't', { priority: 3 }, {}, { parentPriority: 7 }).priority).toBe(3);
  });

  it('is off by default', () => {
    expect(resolveRoute(conf(), 't', {}, {}, { parentPriority: 7 }).priority).toBeNull();
  });
});

describe('checkTransportSupport and task.defaultExchangeType', () => {
  const noTopic = { describe: () => 'test transport', capabilities: { topic: false, fanout: true } } as unknown as Transport;

  it('refuses a topic default exchange without task.queues on a transport without topic exchanges', () => {
    expect(() => checkTransportSupport(noTopic, conf({ defaultExchangeType: 'topic' }))).toThrow(
      expect.objectContaining({ code: 'Q_ERR_CAPABILITY_UNSUPPORTED', message: expect.stringContaining('task.defaultExchangeType ("topic")') }),
    );
    // declared queues that name no exchange are on the default exchange too
    expect(() => checkTransportSupport(noTopic, conf({ defaultExchangeType: 'topic', queues: [{ name: 'a' }] }))).toThrow(/task\.queues\[0\] \("a", exchangeType "topic"\)/);
    expect(() => checkTransportSupport(noTopic, conf())).not.toThrow();
  });
});
