/**
 * `metricsPlugin()`: Prometheus metrics for q workers. Counts tasks by name and state and records their runtimes from
 * the task hooks; reads the worker's gauges (active, processed, prefetch, pool size and use, queue lengths) when
 * scraped; with a `port`, a `metrics` bootstep serves them at `GET /metrics` while the worker runs.
 */
import type { Bootstep, Plugin, PluginApi } from '@q/core';
import { collectDefaultMetrics } from 'prom-client';
import type { Registry } from 'prom-client';
import type { MetricsAddress, MetricsServer } from './metrics-server.js';
import { startMetricsServer } from './metrics-server.js';
import { resolveMetricsOptions } from './metrics-options.js';
import type { MetricsOptions } from './metrics-options.js';
import type { MetricsWorkerHost } from './metrics-worker-host.js';
import { WorkerMetricSet } from './worker-metric-set.js';

/** The plugin's name (one per app). */
export const METRICS_PLUGIN_NAME = 'q-metrics';

/** The plugin, with the registry it fills and where its servers listen. */
export interface MetricsPlugin extends Plugin {
  /** Where the metrics go (the `registry` option, else the plugin's own). */
  readonly registry: Registry;
  /** Where `worker`'s metrics server listens (`undefined`: no `port`, or the worker does not run). */
  addressOf(worker: object): MetricsAddress | undefined;
}

/** Registries that have Node's process metrics already (prom-client throws when they are registered twice). */
const withDefaultMetrics = new WeakSet<Registry>();

/**
 * The metrics plugin. Workers in one process do not collide: each plugin has its own registry unless given one, and
 * every series carries the `worker` label (plugins given the same registry share its metrics). Task counters come from
 * the app's hooks: give each worker its own app (as `q worker` does) — workers sharing one app share its task
 * counters, labelled with the first of them to start.
 *
 * @throws ConfigError `Q_ERR_CONFIG_INVALID` for a bad option, or a registry holding other metrics of q's names.
 * @example
 * const app = createApp({ broker: 'redis://localhost:6379/0', plugins: [metricsPlugin({ port: 9808 })] });
 * await createWorker(app).start(); // curl http://127.0.0.1:9808/metrics
 */
export function metricsPlugin(options: MetricsOptions = {}): MetricsPlugin {
  const resolved = resolveMetricsOptions(options);
  const { registry, port, host } = resolved;
  const metrics = WorkerMetricSet.of(registry, resolved.prefix, resolved.queueSizeTimeoutMs);
  const servers = new WeakMap<object, MetricsServer>();

  function setup(api: PluginApi): void {
    if (resolved.defaultMetrics && !withDefaultMetrics.has(registry)) {
      withDefaultMetrics.add(registry);
      collectDefaultMetrics({ register: registry });
    }
    // The workers of this app running the step, in start order: the first one labels the app's task counters.
    const workers: MetricsWorkerHost[] = [];
    const label = (): string => workers[0]?.hostname ?? '';
    api.hook('taskSuccess', (p) => {
      const worker = label();
      metrics.countTask(worker, p.taskName, 'SUCCESS');
      metrics.observeRuntime(worker, p.taskName, p.runtimeMs);
    });
    api.hook('taskFailure', (p) => metrics.countTask(label(), p.taskName, 'FAILURE'));
    api.hook('taskRetry', (p) => metrics.countTask(label(), p.taskName, 'RETRY'));
    api.hook('taskRevoked', (p) => metrics.countTask(label(), p.taskName, 'REVOKED'));
    api.hook('messageRejected', (p) => metrics.countTask(label(), p.taskName ?? 'unknown', 'REJECTED'));

    const detachers = new WeakMap<MetricsWorkerHost, () => void>();
    const step: Bootstep<MetricsWorkerHost> = {
      name: 'metrics',
      // Before the consumer: a port in use fails the start before any task is received; stopped after it, so the
      // server answers scrapes during a warm shutdown.
      before: ['consumer'],
      async start(worker) {
        const detach = metrics.attach(worker);
        workers.push(worker);
        const undo = (): void => {
          detach();
          workers.splice(workers.indexOf(worker), 1);
        };
        if (port !== null) {
          try {
            const server = await startMetricsServer(registry, host, port);
            servers.set(worker, server);
            worker.logger.info({ url: server.address.url }, `metrics at ${server.address.url}`);
          } catch (err) {
            undo();
            throw err;
          }
        }
        detachers.set(worker, undo);
      },
      async stop(worker) {
        detachers.get(worker)?.();
        detachers.delete(worker);
        const server = servers.get(worker);
        servers.delete(worker);
        await server?.close();
      },
    };
    api.bootstep(step as Bootstep);
  }

  return {
    name: METRICS_PLUGIN_NAME,
    registry,
    addressOf: (worker) => servers.get(worker)?.address,
    setup,
  };
}
