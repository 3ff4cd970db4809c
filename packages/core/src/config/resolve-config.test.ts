import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/q-error.js';
import type { AppOptions } from './options.js';
import { resolveConfig } from './resolve-config.js';

function errorOf(options: unknown): ConfigError {
  try {
    resolveConfig(options as AppOptions);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected resolveConfig to throw');
}

describe('resolveConfig defaults', () => {
  it("applies Celery's defaults", () => {
    const conf = resolveConfig({});
    expect(conf.task.defaultQueue).toBe('celery');
    expect(conf.task.defaultExchange).toBe('celery');
    expect(conf.task.defaultRoutingKey).toBe('celery');
    expect(conf.task.serializer).toBe('json');
    expect(conf.accept).toEqual(['json']);
    expect(conf.result.expires).toBe(86400);
    expect(conf.result.pollInterval).toBe(0.1);
    expect(conf.worker.prefetchMultiplier).toBe(4);
    expect(conf.worker.hostname).toBe('celery@%h');
    expect(conf.worker.pool).toBe('async');
    expect(conf.task.defaultRetryDelay).toBe(180);
    expect(conf.task.maxRetries).toBe(3);
    expect(conf.task.deliveryMode).toBe('persistent');
    expect(conf.task.publishRetryPolicy).toEqual({ maxRetries: 3, intervalStart: 0, intervalStep: 0.2, intervalMax: 0.2 });
    expect(conf.broker.visibilityTimeout).toBeNull();
    expect(conf.broker.connectionMaxRetries).toBe(100);
    expect(conf.timezone).toBe('UTC');
    expect(conf.embeddedDir).toBe(resolve(process.cwd(), '.q'));
    expect(conf.resolveFrom).toBe(process.cwd());
  });

  it("derives exchange and routing key from the default queue, fills queue declarations as Celery's Queues._add", () => {
    const conf = resolveConfig({
      task: {
        defaultQueue: 'jobs',
        queues: [{ name: 'fast' }, { name: 'logs', exchange: 'ex', exchangeType: 'topic', routingKey: 'log.#' }, { name: 'own', exchange: 'own' }],
      },
    });
    expect(conf.task.defaultExchange).toBe('jobs');
    expect(conf.task.defaultRoutingKey).toBe('jobs');
    expect(conf.task.defaultExchangeType).toBe('direct');
    // no exchange → the default exchange; no routing key → the default routing key
    expect(conf.task.queues[0]).toMatchObject({
      name: 'fast', exchange: 'jobs', exchangeType: 'direct', routingKey: 'jobs',
      maxPriority: null, durable: true, autoDelete: false, arguments: {}, broadcast: false,
    });
    expect(conf.task.queues[1]).toMatchObject({ exchange: 'ex', exchangeType: 'topic', routingKey: 'log.#' });
    expect(conf.task.queues[2]).toMatchObject({ exchange: 'own', exchangeType: 'direct', routingKey: 'jobs' });
    const topic = resolveConfig({ task: { defaultExchangeType: 'topic', queues: [{ name: 'fast' }, { name: 'own', exchange: 'own' }] } });
    expect(topic.task.queues.map((q) => q.exchangeType)).toEqual(['topic', 'direct']);
  });

  it('merges a partial publish retry policy over the defaults', () => {
    const conf = resolveConfig({ task: { publishRetryPolicy: { maxRetries: 7 } } });
    expect(conf.task.publishRetryPolicy).toEqual({ maxRetries: 7, intervalStart: 0, intervalStep: 0.2, intervalMax: 0.2 });
  });

  it('is deep-frozen and does not keep instances', () => {
    const conf = resolveConfig({ task: { routes: { 'a.*': { queue: 'x' } } } });
    expect(Object.isFrozen(conf)).toBe(true);
    expect(Object.isFrozen(conf.task)).toBe(true);
    expect(Object.isFrozen(conf.task.routes)).toBe(true);
    expect(() => {
      (conf.task as { defaultQueue: string }).defaultQueue = 'x';
    }).toThrow(TypeError);
    expect('broker' in conf && typeof (conf as unknown as { broker: unknown }).broker === 'string').toBe(false);
  });
});

describe('resolveConfig validation', () => {
  it('rejects unknown keys with a suggestion naming the path', () => {
    expect(errorOf({ task: { maxRetrys: 3 } }).message).toBe('task.maxRetrys is not an option (did you mean task.maxRetries?)');
    expect(errorOf({ brokr: 'memory://' }).message).toBe('brokr is not an option (did you mean broker?)');
    expect(errorOf({ worker: { zzzzzzzzzz: 1 } }).message).toBe('worker.zzzzzzzzzz is not an option');
  });

  it('names the path of a bad value', () => {
    const err = errorOf({ task: { maxRetries: -1 } });
    expect(err.code).toBe('Q_ERR_CONFIG_INVALID');
    expect(err.message).toBe('task.maxRetries: expected a non-negative integer or null (got -1)');
    expect(errorOf({ result: { expires: '1d' } }).message).toMatch(/^result\.expires: expected .* \(got "1d"\)$/);
    expect(errorOf({ worker: { prefetchMultiplier: 1.5 } }).message).toMatch(/^worker\.prefetchMultiplier:/);
    expect(errorOf({ task: { deliveryMode: 'sometimes' } }).message).toMatch(/task\.deliveryMode: expected one of "persistent", "transient"/);
    expect(errorOf({ timezone: 'Mars/Olympus' }).message).toMatch(/^timezone: expected an IANA time zone/);
    expect(errorOf({ accept: [] }).message).toMatch(/^accept: expected a non-empty array/);
    expect(errorOf({ task: { defaultRateLimit: 'fast' } }).message).toMatch(/^task\.defaultRateLimit:/);
  });

  it('names nested paths in arrays and records', () => {
    expect(errorOf({ task: { queues: [{ name: 'a' }, { name: 'b', maxPriority: 300 }] } }).message).toMatch(
      /^task\.queues\[1\]\.maxPriority: expected/,
    );
    expect(errorOf({ task: { queues: [{ exchange: 'x' }] } }).message).toBe('task.queues[0].name: is required');
    expect(errorOf({ task: { routes: { 'a.*': { queu: 'x' } } } }).message).toBe(
      'task.routes["a.*"].queu is not an option (did you mean task.routes["a.*"].queue?)',
    );
    expect(errorOf({ task: { queues: [{ name: 'a' }, { name: 'a' }] } }).message).toMatch(/duplicate queue "a"/);
  });

  it('validates broker, backend, plugins and logger shapes', () => {
    expect(errorOf({ broker: 42 }).message).toMatch(/^broker: expected a URL or a Transport or QueueDriver instance/);
    expect(errorOf({ backend: {} }).message).toMatch(/^backend: expected a URL or a ResultBackend/);
    expect(errorOf({ plugins: [{ name: 'x' }] }).message).toMatch(/^plugins\[0\]: expected a plugin \(missing setup\(\)\)/);
    expect(errorOf({ plugins: [{ setup() {} }] }).message).toMatch(/^plugins\[0\]\.name:/);
    expect(errorOf({ logger: {} }).message).toMatch(/^logger: expected a logger/);
    expect(() => resolveConfig({ broker: 'memory://', backend: null })).not.toThrow();
  });

  it("brokerOptions.visibilityTimeout: null (the transport's own default) unless set to seconds > 0", () => {
    expect(resolveConfig({}).broker.visibilityTimeout).toBeNull();
    expect(resolveConfig({ brokerOptions: { visibilityTimeout: 600 } }).broker.visibilityTimeout).toBe(600);
    expect(resolveConfig({ brokerOptions: { visibilityTimeout: 0.5 } }).broker.visibilityTimeout).toBe(0.5);
    for (const bad of [0, -1, 'abc', '600', Number.NaN, Number.POSITIVE_INFINITY, null]) {
      const err = errorOf({ brokerOptions: { visibilityTimeout: bad } });
      expect(err.code).toBe('Q_ERR_CONFIG_INVALID');
      expect(err.message).toMatch(/^brokerOptions\.visibilityTimeout: expected/);
    }
  });

  it('rejects a non-object options argument and non-object groups', () => {
    expect(errorOf({ task: 5 }).message).toMatch(/^task: expected an object/);
  });
});

describe('result.serializer', () => {
  it('is json, the only result serializer so far: another name is a ConfigError, not ignored', () => {
    expect(resolveConfig({ result: { serializer: 'json' } }).result.serializer).toBe('json');
    const err = errorOf({ result: { serializer: 'msgpack' } });
    expect(err.code).toBe('Q_ERR_CONFIG_INVALID');
    expect(err.message).toMatch(/result\.serializer.*"json"/);
  });
});
