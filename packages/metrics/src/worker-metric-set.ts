/**
 * The q metrics of one registry: task counters and runtimes (recorded from the task hooks, cheap and synchronous),
 * and worker gauges read from the attached workers when Prometheus scrapes (prom-client's `collect()`).
 *
 * Several workers in one process do not collide: there is one set per registry and prefix, shared by every plugin
 * and {@link collectWorkerMetrics} call given that registry, and each series carries the `worker` label (the node name).
 */
import { ConfigError } from '@q/core';
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import type { MetricsWorkerHost } from './metrics-worker-host.js';
import { queueLengths } from './queue-lengths.js';
import type { QueueSource } from './queue-lengths.js';

/** The `state` label values of `q_tasks_total` (Celery's states; `REJECTED`: unknown or malformed messages). */
export const TASK_STATES = ['SUCCESS', 'FAILURE', 'RETRY', 'REVOKED', 'REJECTED'] as const;
/** A `state` label value of `q_tasks_total`. */
export type TaskState = (typeof TASK_STATES)[number];

/** Buckets of `q_task_runtime_seconds`: 1 ms to 60 s. */
export const RUNTIME_BUCKETS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

const sets = new WeakMap<Registry, Map<string, WorkerMetricSet>>();

/** The metrics of one registry under one prefix. Get it with {@link WorkerMetricSet.of}. */
export class WorkerMetricSet {
  readonly #tasks: Counter<'worker' | 'task' | 'state'>;
  readonly #runtime: Histogram<'worker' | 'task'>;
  readonly #hosts = new Set<MetricsWorkerHost>();
  /** How long a scrape waits for queue lengths (the shortest asked for by those sharing the set). */
  #queueSizeTimeoutMs: number;

  /**
   * The set of `registry` under `prefix`, created (its metrics registered) the first time.
   *
   * @throws ConfigError `Q_ERR_CONFIG_INVALID` when the registry already holds a metric of the same name that is not q's.
   */
  static of(registry: Registry, prefix: string, queueSizeTimeoutMs: number): WorkerMetricSet {
    let byPrefix = sets.get(registry);
    if (byPrefix === undefined) sets.set(registry, (byPrefix = new Map()));
    const known = byPrefix.get(prefix);
    // A registry cleared since (`registry.clear()`) gets its metrics again.
    if (known !== undefined && registry.getSingleMetric(`${prefix}tasks_total`) === known.#tasks) {
      known.#queueSizeTimeoutMs = Math.min(known.#queueSizeTimeoutMs, queueSizeTimeoutMs);
      return known;
    }
    const set = new WorkerMetricSet(registry, prefix, queueSizeTimeoutMs);
    byPrefix.set(prefix, set);
    return set;
  }

  private constructor(registry: Registry, prefix: string, queueSizeTimeoutMs: number) {
    this.#queueSizeTimeoutMs = queueSizeTimeoutMs;
    const registers = [registry];
    const hosts = this.#hosts;
    try {
      this.#tasks = new Counter({
        name: `${prefix}tasks_total`,
        help: 'Task runs by task name and how they ended: SUCCESS, FAILURE, RETRY, REVOKED, REJECTED (unknown or malformed messages).',
        labelNames: ['worker', 'task', 'state'],
        registers,
      });
      this.#runtime = new Histogram({
        name: `${prefix}task_runtime_seconds`,
        help: 'Runtime of the tasks that succeeded, in seconds.',
        labelNames: ['worker', 'task'],
        buckets: [...RUNTIME_BUCKETS],
        registers,
      });
      const perWorker = (name: string, help: string, read: (host: MetricsWorkerHost) => number | undefined): void => {
        new Gauge({
          name: `${prefix}${name}`,
          help,
          labelNames: ['worker'],
          registers,
          collect() {
            this.reset();
            for (const host of hosts) {
              const value = readSafely(host, read);
              if (value !== undefined) this.set({ worker: host.hostname }, value);
            }
          },
        });
      };
      perWorker('worker_active_tasks', 'Tasks running now.', (h) => h.activeCount);
      perWorker('worker_processed_tasks', 'Tasks finished since the worker started.', (h) => h.processedCount);
      perWorker('worker_prefetch_count', 'Messages the worker may hold unacknowledged now (0: unlimited).', (h) => h.parts.consumer?.prefetch ?? h.options.prefetch);
      perWorker('worker_pool_size', 'Tasks the pool can run at once (its concurrency now).', (h) => h.parts.pool?.concurrency ?? h.options.concurrency);
      perWorker('worker_pool_busy', 'Pool slots running a task now.', (h) => h.parts.pool?.active ?? 0);
      const sources = (): Iterable<QueueSource> => this.#queueSources();
      const timeoutMs = (): number => this.#queueSizeTimeoutMs;
      new Gauge({
        name: `${prefix}queue_length`,
        help: 'Ready messages in each queue the workers consume (for brokers that can tell).',
        labelNames: ['queue'],
        registers,
        async collect() {
          const lengths = await queueLengths(sources(), timeoutMs());
          this.reset();
          for (const [queue, n] of lengths) this.set({ queue }, n);
        },
      });
    } catch (err) {
      throw new ConfigError('Q_ERR_CONFIG_INVALID', `metrics: cannot register q's metrics (prefix "${prefix}"): ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }

  /** Read `worker`'s gauges at each scrape, until the returned function is called. */
  attach(worker: MetricsWorkerHost): () => void {
    this.#hosts.add(worker);
    return () => {
      this.#hosts.delete(worker);
    };
  }

  /** Count a task of `task` that ended in `state` on `worker`. */
  countTask(worker: string, task: string, state: TaskState): void {
    this.#tasks.inc({ worker, task, state });
  }

  /** Record the runtime of a task that succeeded. */
  observeRuntime(worker: string, task: string, runtimeMs: number): void {
    if (Number.isFinite(runtimeMs) && runtimeMs >= 0) this.#runtime.observe({ worker, task }, runtimeMs / 1000);
  }

  /** Each queue consumed by an attached worker, once, with a transport of a worker that consumes it. */
  *#queueSources(): Generator<QueueSource> {
    const seen = new Set<string>();
    for (const host of this.#hosts) {
      const transport = host.parts.transport;
      if (transport === undefined || typeof transport.queueSize !== 'function') continue;
      for (const queue of consumedQueues(host)) {
        if (seen.has(queue)) continue;
        seen.add(queue);
        yield { queue, transport };
      }
    }
  }
}

/** The queues `host` consumes now (those added and cancelled at run time included, when it tells). */
function consumedQueues(host: MetricsWorkerHost): readonly string[] {
  try {
    return host.activeQueues?.().map((t) => t.queue.name) ?? host.options.queues;
  } catch {
    return host.options.queues;
  }
}

/** A gauge's reading; a worker whose getter throws (stopping, half started) is left out of this scrape. */
function readSafely(host: MetricsWorkerHost, read: (host: MetricsWorkerHost) => number | undefined): number | undefined {
  try {
    const value = read(host);
    return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
