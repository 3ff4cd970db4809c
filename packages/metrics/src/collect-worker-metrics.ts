/**
 * Worker gauges for those who serve metrics themselves, without the plugin's bootstep.
 */
import type { Registry } from 'prom-client';
import { resolveMetricsOptions } from './metrics-options.js';
import type { MetricsWorkerHost } from './metrics-worker-host.js';
import { WorkerMetricSet } from './worker-metric-set.js';

/** Options of {@link collectWorkerMetrics}. */
export interface CollectWorkerMetricsOptions {
  /** Prefix of the metric names (default `q_`; the same as the plugin's to share its metrics). */
  prefix?: string;
  /** How long a scrape waits for queue lengths, in ms (default 2000). */
  queueSizeTimeoutMs?: number;
}

/**
 * Report `worker`'s gauges (`q_worker_active_tasks`, `q_worker_processed_tasks`, `q_worker_prefetch_count`,
 * `q_worker_pool_size`, `q_worker_pool_busy`, `q_queue_length`) in `registry` at each scrape, until the returned
 * function is called. Task counters and runtimes need the task hooks: install `metricsPlugin({ registry })` (no
 * `port`) for those; with the same registry and prefix, both share one set of metrics.
 *
 * @throws ConfigError `Q_ERR_CONFIG_INVALID` for a bad option, or when the registry holds other metrics of q's names.
 * @example
 * const registry = new Registry();
 * const stop = collectWorkerMetrics(worker, registry);
 * server.get('/metrics', async () => registry.metrics());
 */
export function collectWorkerMetrics(worker: MetricsWorkerHost, registry: Registry, options: CollectWorkerMetricsOptions = {}): () => void {
  const resolved = resolveMetricsOptions({ ...options, registry, defaultMetrics: false });
  return WorkerMetricSet.of(registry, resolved.prefix, resolved.queueSizeTimeoutMs).attach(worker);
}
