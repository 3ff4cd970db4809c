/**
 * What `@q/metrics` reads from a worker: a narrow view that `@q/worker`'s `Worker` satisfies (a type of this package's
 * own, so `@q/metrics` never imports the worker). Everything is read at scrape time; nothing here is called per task.
 */
import type { Logger, Transport } from '@q/core';

/** The pool as the metrics see it. */
export interface MetricsPoolView {
  /** How many tasks the pool runs at once now (grows and shrinks with autoscale, `pool_grow`/`pool_shrink`). */
  readonly concurrency: number;
  /** Tasks running in the pool now. */
  readonly active: number;
}

/** The worker as the metrics bootstep and {@link collectWorkerMetrics} see it. */
export interface MetricsWorkerHost {
  /** The worker's app (its identity ties the app's task hooks to the worker). */
  readonly app: object;
  /** Node name (`celery@host`): the `worker` label. */
  readonly hostname: string;
  readonly logger: Logger;
  readonly options: {
    /** The prefetch the worker starts with (`concurrency × prefetchMultiplier`, 0 = unlimited). */
    readonly prefetch: number;
    /** The pool's concurrency as configured. */
    readonly concurrency: number;
    /** The queues it was told to consume. */
    readonly queues: readonly string[];
  };
  /** Parts the worker's bootsteps create; absent before they start and after they stop. */
  readonly parts: {
    readonly transport?: Pick<Transport, 'queueSize'>;
    readonly pool?: MetricsPoolView;
    /** The task consumer: its current prefetch (raised while ETA tasks are held, follows the pool's size). */
    readonly consumer?: { readonly prefetch: number };
  };
  /** Tasks running now. */
  readonly activeCount: number;
  /** Tasks finished since start. */
  readonly processedCount: number;
  /** The queues consumed now (with those added and cancelled at run time). */
  activeQueues?(): readonly { readonly queue: { readonly name: string } }[];
}
