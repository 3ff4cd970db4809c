/**
 * `@q/metrics`: Prometheus metrics for q workers (prom-client), as a plugin. Tasks by name and state, task runtimes,
 * active and processed tasks, prefetch, pool size and use, queue lengths.
 */
export { metricsPlugin, METRICS_PLUGIN_NAME } from './metrics-plugin.js';
export type { MetricsPlugin } from './metrics-plugin.js';
export type { MetricsOptions, ResolvedMetricsOptions } from './metrics-options.js';
export { resolveMetricsOptions } from './metrics-options.js';
export { collectWorkerMetrics } from './collect-worker-metrics.js';
export type { CollectWorkerMetricsOptions } from './collect-worker-metrics.js';
export type { MetricsWorkerHost, MetricsPoolView } from './metrics-worker-host.js';
export type { MetricsAddress } from './metrics-server.js';
export { TASK_STATES, RUNTIME_BUCKETS } from './worker-metric-set.js';
export type { TaskState } from './worker-metric-set.js';
