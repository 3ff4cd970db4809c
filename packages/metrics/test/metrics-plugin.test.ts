/**
 * `metricsPlugin` on an in-process worker (memory broker and backend): what `GET /metrics` reports after real tasks,
 * two workers in one process, a port in use, and the server closed at stop.
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, createApp, memoryKeyValueDriver, memoryQueueDriver, silentLogger } from '@q/core';
import type { App, TaskContext } from '@q/core';
import { createWorker } from '@q/worker';
import type { Worker, WorkerOptions } from '@q/worker';
import { Registry } from 'prom-client';
import { collectWorkerMetrics, metricsPlugin } from '../src/index.js';
import type { MetricsPlugin } from '../src/index.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => undefined);
});

let seq = 0;
function makeApp(plugin: MetricsPlugin, ns = `metrics-test-${process.pid}-${++seq}`): App {
  const app = createApp({
    name: 'test',
    broker: memoryQueueDriver({ namespace: ns }),
    backend: memoryKeyValueDriver({ namespace: ns }),
    plugins: [plugin],
  });
  cleanups.push(() => app.close());
  return app;
}

async function startWorker(app: App, options: WorkerOptions<Worker> = {}): Promise<Worker> {
  const worker = createWorker(app, { hostname: 'w1@test', logger: silentLogger, guardProcess: false, ...options });
  cleanups.push(() => worker.stop({ graceful: false }));
  await worker.start();
  return worker;
}

/** Scrape `plugin`'s server for `worker`: the response and its samples by series (`name{labels}` as printed). */
async function scrape(plugin: MetricsPlugin, worker: Worker): Promise<{ contentType: string | null; samples: Map<string, number> }> {
  const address = plugin.addressOf(worker);
  if (address === undefined) throw new Error('no metrics server');
  const response = await fetch(address.url);
  expect(response.status).toBe(200);
  return { contentType: response.headers.get('content-type'), samples: parse(await response.text()) };
}

function parse(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

async function until<T>(read: () => Promise<T> | T, done: (v: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs}ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A port nothing listens on (bound, then released), or the port of a server kept listening. */
async function listen(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('metricsPlugin on a worker', () => {
  it('counts tasks by name and state, records runtimes, and reports the worker gauges over HTTP', async () => {
    const plugin = metricsPlugin({ port: 0, defaultMetrics: false });
    const app = makeApp(plugin);
    app.task({ name: 'tasks.add', params: ['x', 'y'] }, (x: number, y: number) => x + y);
    app.task({ name: 'tasks.fail' }, () => {
      throw new TypeError('bad thing');
    });
    app.task({ name: 'tasks.flaky', bind: true }, (ctx: TaskContext) => {
      if (ctx.retries < 1) ctx.retry({ countdown: 0.01, exc: new Error('not yet') });
      return 'ok';
    });
    const worker = await startWorker(app, { concurrency: 3, prefetchMultiplier: 2 });

    await (await app.sendTask('tasks.add', [1, 2])).get({ timeout: 5 });
    await (await app.sendTask('tasks.add', [3, 4])).get({ timeout: 5 });
    await expect((await app.sendTask('tasks.fail')).get({ timeout: 5 })).rejects.toThrow(/bad thing/);
    expect(await (await app.sendTask('tasks.flaky')).get({ timeout: 5 })).toBe('ok');
    await app.sendTask('tasks.unknown');
    await app.sendTask('tasks.add', [0, 0], {}, { expires: new Date(Date.now() - 60_000) });

    const w = 'worker="w1@test"';
    const { contentType, samples } = await until(
      () => scrape(plugin, worker),
      (s) => s.samples.get(`q_tasks_total{${w},task="tasks.unknown",state="REJECTED"}`) === 1 && s.samples.has(`q_tasks_total{${w},task="tasks.add",state="REVOKED"}`),
    );
    expect(contentType).toBe(plugin.registry.contentType);
    expect(samples.get(`q_tasks_total{${w},task="tasks.add",state="SUCCESS"}`)).toBe(2);
    expect(samples.get(`q_tasks_total{${w},task="tasks.add",state="REVOKED"}`)).toBe(1);
    expect(samples.get(`q_tasks_total{${w},task="tasks.fail",state="FAILURE"}`)).toBe(1);
    expect(samples.get(`q_tasks_total{${w},task="tasks.flaky",state="RETRY"}`)).toBe(1);
    expect(samples.get(`q_tasks_total{${w},task="tasks.flaky",state="SUCCESS"}`)).toBe(1);
    // Runtimes of the tasks that succeeded; every one is within the last (60 s) bucket.
    expect(samples.get(`q_task_runtime_seconds_count{${w},task="tasks.add"}`)).toBe(2);
    expect(samples.get(`q_task_runtime_seconds_bucket{le="60",${w},task="tasks.add"}`)).toBe(2);
    expect(samples.get(`q_task_runtime_seconds_bucket{le="0.001",${w},task="tasks.add"}`)).toBeDefined();
    expect(samples.get(`q_task_runtime_seconds_count{${w},task="tasks.flaky"}`)).toBe(1);
    expect(samples.has(`q_task_runtime_seconds_count{${w},task="tasks.fail"}`)).toBe(false);
    // Gauges, read from the worker when scraped.
    expect(samples.get(`q_worker_pool_size{${w}}`)).toBe(3);
    expect(samples.get(`q_worker_prefetch_count{${w}}`)).toBe(6);
    expect(samples.get(`q_worker_active_tasks{${w}}`)).toBe(0);
    expect(samples.get(`q_worker_pool_busy{${w}}`)).toBe(0);
    expect(samples.get(`q_worker_processed_tasks{${w}}`)).toBe(worker.processedCount);
    expect(samples.get('q_queue_length{queue="celery"}')).toBe(0);
    // Node's process metrics were not asked for.
    expect([...samples.keys()].some((k) => k.startsWith('process_'))).toBe(false);
  });

  it('reports running tasks, pool use and the broker’s queue length while tasks wait', async () => {
    const plugin = metricsPlugin({ port: 0, prefix: 'celery_' });
    const app = makeApp(plugin);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    app.task({ name: 'tasks.block' }, () => gate);
    const worker = await startWorker(app, { concurrency: 1, prefetchMultiplier: 1 });
    const results = [];
    for (let i = 0; i < 4; i += 1) results.push(await app.sendTask('tasks.block'));

    const w = 'worker="w1@test"';
    const { samples } = await until(
      () => scrape(plugin, worker),
      (s) => s.samples.get(`celery_worker_active_tasks{${w}}`) === 1,
    );
    expect(samples.get(`celery_worker_pool_busy{${w}}`)).toBe(1);
    expect(samples.get(`celery_worker_pool_size{${w}}`)).toBe(1);
    const transport = await app.getTransport();
    const waiting = await transport.queueSize?.('celery');
    expect(waiting).toBeGreaterThan(0);
    expect(samples.get('celery_queue_length{queue="celery"}')).toBe(waiting);
    // Node's process metrics (default on) keep their standard names.
    expect(samples.has('process_cpu_user_seconds_total')).toBe(true);
    release();
    for (const r of results) await r.get({ timeout: 5 });
  });

  it('leaves out a queue whose broker cannot tell its length', async () => {
    const plugin = metricsPlugin({ port: 0, defaultMetrics: false });
    const app = makeApp(plugin);
    const original = app.getTransport.bind(app);
    app.getTransport = async () => {
      const transport = await original();
      return new Proxy(transport, {
        get(target, key) {
          if (key === 'queueSize') return undefined;
          const value: unknown = Reflect.get(target, key, target);
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
    };
    const worker = await startWorker(app);
    const { samples } = await scrape(plugin, worker);
    expect([...samples.keys()].some((k) => k.startsWith('q_queue_length'))).toBe(false);
    expect(samples.has('q_worker_pool_size{worker="w1@test"}')).toBe(true);
  });

  it('keeps two workers in one process apart: each plugin its own registry and server', async () => {
    const one = metricsPlugin({ port: 0, defaultMetrics: false });
    const two = metricsPlugin({ port: 0, defaultMetrics: false });
    const appOne = makeApp(one);
    const appTwo = makeApp(two);
    for (const app of [appOne, appTwo]) app.task({ name: 'tasks.echo' }, (x: unknown) => x);
    const w1 = await startWorker(appOne, { hostname: 'one@test', concurrency: 2 });
    const w2 = await startWorker(appTwo, { hostname: 'two@test', concurrency: 5 });
    expect(one.addressOf(w1)?.port).not.toBe(two.addressOf(w2)?.port);
    await (await appOne.sendTask('tasks.echo', [1])).get({ timeout: 5 });
    await (await appTwo.sendTask('tasks.echo', [2])).get({ timeout: 5 });
    await (await appTwo.sendTask('tasks.echo', [3])).get({ timeout: 5 });

    const first = (await until(() => scrape(one, w1), (s) => s.samples.has('q_tasks_total{worker="one@test",task="tasks.echo",state="SUCCESS"}'))).samples;
    const second = (await until(() => scrape(two, w2), (s) => s.samples.get('q_tasks_total{worker="two@test",task="tasks.echo",state="SUCCESS"}') === 2)).samples;
    expect(first.get('q_tasks_total{worker="one@test",task="tasks.echo",state="SUCCESS"}')).toBe(1);
    expect(first.get('q_worker_pool_size{worker="one@test"}')).toBe(2);
    expect([...first.keys()].some((k) => k.includes('two@test'))).toBe(false);
    expect(second.get('q_worker_pool_size{worker="two@test"}')).toBe(5);
    expect([...second.keys()].some((k) => k.includes('one@test'))).toBe(false);
  });

  it('keeps two workers apart in one shared registry by their worker label', async () => {
    const registry = new Registry();
    const appOne = makeApp(metricsPlugin({ registry }));
    const appTwo = makeApp(metricsPlugin({ registry }));
    for (const app of [appOne, appTwo]) app.task({ name: 'tasks.echo' }, (x: unknown) => x);
    await startWorker(appOne, { hostname: 'one@test', concurrency: 2 });
    await startWorker(appTwo, { hostname: 'two@test', concurrency: 5 });
    await (await appOne.sendTask('tasks.echo', [1])).get({ timeout: 5 });
    await (await appTwo.sendTask('tasks.echo', [2])).get({ timeout: 5 });

    const samples = await until(
      async () => parse(await registry.metrics()),
      (s) => s.has('q_tasks_total{worker="one@test",task="tasks.echo",state="SUCCESS"}') && s.has('q_tasks_total{worker="two@test",task="tasks.echo",state="SUCCESS"}'),
    );
    expect(samples.get('q_tasks_total{worker="one@test",task="tasks.echo",state="SUCCESS"}')).toBe(1);
    expect(samples.get('q_tasks_total{worker="two@test",task="tasks.echo",state="SUCCESS"}')).toBe(1);
    expect(samples.get('q_worker_pool_size{worker="one@test"}')).toBe(2);
    expect(samples.get('q_worker_pool_size{worker="two@test"}')).toBe(5);
    expect(samples.has('process_cpu_user_seconds_total')).toBe(true);
  });

  it('fails the worker start with a ConfigError naming the port when the port is in use', async () => {
    const taken = await listen();
    cleanups.push(taken.close);
    const plugin = metricsPlugin({ port: taken.port });
    const app = makeApp(plugin);
    const worker = createWorker(app, { hostname: 'w1@test', logger: silentLogger, guardProcess: false });
    const error = await worker.start().then(
      () => null,
      (err: unknown) => err as Error & { code?: string; cause?: unknown },
    );
    expect(error).not.toBeNull();
    expect(error?.message).toContain(`metrics port ${taken.port} is in use`);
    const cause = error?.cause as (Error & { code?: string }) | undefined;
    expect(cause).toBeInstanceOf(ConfigError);
    expect(cause?.code).toBe('Q_ERR_CONFIG_INVALID');
    expect(worker.state).toBe('stopped');
  });

  it('closes the server when the worker stops: the port is free again', async () => {
    const free = await listen();
    await free.close();
    const plugin = metricsPlugin({ port: free.port, defaultMetrics: false });
    const app = makeApp(plugin);
    const worker = await startWorker(app);
    expect(plugin.addressOf(worker)?.port).toBe(free.port);
    await scrape(plugin, worker);
    await worker.stop();
    expect(plugin.addressOf(worker)).toBeUndefined();
    const again = await listen();
    await again.close();
    const rebound = createServer();
    await new Promise<void>((resolve, reject) => {
      rebound.once('error', reject);
      rebound.listen(free.port, '127.0.0.1', resolve);
    });
    await new Promise<void>((resolve) => rebound.close(() => resolve()));
  });

  it('adds no server without a port; the registry still fills', async () => {
    const plugin = metricsPlugin({ defaultMetrics: false });
    const app = makeApp(plugin);
    app.task({ name: 'tasks.echo' }, (x: unknown) => x);
    const worker = await startWorker(app);
    expect(plugin.addressOf(worker)).toBeUndefined();
    await (await app.sendTask('tasks.echo', [1])).get({ timeout: 5 });
    const samples = await until(async () => parse(await plugin.registry.metrics()), (s) => s.has('q_tasks_total{worker="w1@test",task="tasks.echo",state="SUCCESS"}'));
    expect(samples.get('q_worker_pool_size{worker="w1@test"}')).toBe(worker.options.concurrency);
    expect(worker.bootsteps).toContain('metrics');
    expect(worker.bootsteps.indexOf('metrics')).toBeLessThan(worker.bootsteps.indexOf('consumer'));
  });

  it('collectWorkerMetrics reports a real worker’s gauges in a registry served elsewhere', async () => {
    const app = makeApp(metricsPlugin({ defaultMetrics: false }));
    const worker = await startWorker(app, { hostname: 'own@test', concurrency: 4, prefetchMultiplier: 3 });
    const registry = new Registry();
    const detach = collectWorkerMetrics(worker, registry);
    const samples = parse(await registry.metrics());
    expect(samples.get('q_worker_pool_size{worker="own@test"}')).toBe(4);
    expect(samples.get('q_worker_prefetch_count{worker="own@test"}')).toBe(12);
    expect(samples.get('q_queue_length{queue="celery"}')).toBe(0);
    detach();
    expect(await registry.metrics()).not.toContain('own@test');
  });
});
