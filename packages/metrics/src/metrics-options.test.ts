import { describe, expect, it } from 'vitest';
import { ConfigError, silentLogger } from '@q/core';
import { Registry } from 'prom-client';
import { resolveMetricsOptions } from './metrics-options.js';
import { metricsPlugin } from './metrics-plugin.js';
import { collectWorkerMetrics } from './collect-worker-metrics.js';

describe('metrics options', () => {
  it('applies defaults: no server, 127.0.0.1, prefix q_, process metrics, a registry of its own', () => {
    const a = resolveMetricsOptions();
    const b = resolveMetricsOptions({});
    expect(a).toMatchObject({ port: null, host: '127.0.0.1', prefix: 'q_', defaultMetrics: true, queueSizeTimeoutMs: 2000 });
    expect(a.registry).toBeInstanceOf(Registry);
    expect(a.registry).not.toBe(b.registry);
    expect(Object.isFrozen(a)).toBe(true);
  });

  it.each([
    [{ port: -1 }, /port must be an integer from 0 to 65535 \(got -1\)/],
    [{ port: 70000 }, /port/],
    [{ port: 1.5 }, /port/],
    [{ port: '9808' }, /port .*got "9808"/],
    [{ host: '' }, /host must be a non-empty string/],
    [{ prefix: 'q-' }, /prefix must be a valid Prometheus metric name prefix/],
    [{ registry: {} }, /registry must be a prom-client Registry \(got Object\)/],
    [{ defaultMetrics: 'yes' }, /defaultMetrics must be a boolean/],
    [{ queueSizeTimeoutMs: 0 }, /queueSizeTimeoutMs must be a positive number/],
  ])('rejects %j with a ConfigError naming the option', (options, message) => {
    let caught: unknown;
    try {
      metricsPlugin(options as never);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).code).toBe('Q_ERR_CONFIG_INVALID');
    expect((caught as Error).message).toMatch(message);
  });

  it('accepts an empty prefix', () => {
    const plugin = metricsPlugin({ prefix: '', defaultMetrics: false });
    expect(plugin.registry.getSingleMetric('tasks_total')).toBeDefined();
  });

  it('shares one set of metrics between plugins given the same registry and prefix', () => {
    const registry = new Registry();
    metricsPlugin({ registry });
    expect(() => metricsPlugin({ registry })).not.toThrow();
    expect(registry.getMetricsAsArray().filter((m) => (m as unknown as { name: string }).name === 'q_tasks_total')).toHaveLength(1);
  });

  it('refuses a registry holding a metric of the same name that is not q’s', async () => {
    const registry = new Registry();
    const { Counter } = await import('prom-client');
    new Counter({ name: 'q_tasks_total', help: 'someone else’s', registers: [registry] });
    expect(() => metricsPlugin({ registry })).toThrow(ConfigError);
    expect(() => metricsPlugin({ registry })).toThrow(/q_tasks_total/);
  });

  it('collectWorkerMetrics validates its options and detaches the worker', async () => {
    const registry = new Registry();
    const worker = {
      app: {},
      hostname: 'w@h',
      logger: silentLogger,
      options: { prefetch: 8, concurrency: 2, queues: ['celery'] },
      parts: {},
      activeCount: 1,
      processedCount: 7,
    };
    expect(() => collectWorkerMetrics(worker, registry, { prefix: 'bad-' })).toThrow(ConfigError);
    const detach = collectWorkerMetrics(worker, registry);
    const text = await registry.metrics();
    expect(text).toContain('q_worker_processed_tasks{worker="w@h"} 7');
    expect(text).toContain('q_worker_prefetch_count{worker="w@h"} 8');
    expect(text).toContain('q_worker_pool_size{worker="w@h"} 2');
    expect(text).toContain('q_worker_pool_busy{worker="w@h"} 0');
    detach();
    expect(await registry.metrics()).not.toContain('w@h');
  });
});
