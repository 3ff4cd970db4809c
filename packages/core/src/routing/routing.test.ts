import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/q-error.js';
import type { AppOptions } from '../config/options.js';
import { resolveConfig } from '../config/resolve-config.js';
import { globToRegExp, matchRoute, queueTopology, resolveRoute } from './routing.js';

const conf = (task: AppOptions['task'] = {}) => resolveConfig({ task });

describe('resolveRoute', () => {
  it('sends a plain task to the default exchange "" with routing key = queue name (spec §1.9)', () => {
    expect(resolveRoute(conf(), 'tasks.add')).toEqual({
      queue: 'celery', exchange: '', routingKey: 'celery', exchangeType: 'direct', priority: null,
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
      queue: 'logs', exchange: 'logex', routingKey: 'log.info', exchangeType: 'topic', priority: null,
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

describe('globs', () => {
  it('matches * and ? and escapes dots', () => {
    expect(globToRegExp('a.*').test('a.b.c')).toBe(true);
    expect(globToRegExp('a.?').test('a.b')).toBe(true);
    expect(globToRegExp('a.b').test('axb')).toBe(false);
    expect(matchRoute({ 'x.*': { queue: 'q' } }, 'y.z')).toBeNull();
  });
});
