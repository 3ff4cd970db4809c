/**
 * What a bootstep sees of the worker: its resolved options, the parts the steps create, and the two pool
 * moves of a shutdown, on top of what execution sees ({@link WorkerRuntime}). The `Worker` implements it;
 * steps depend on this interface, never on `worker.ts`.
 */
import type { EventSink, ResultBackend, Transport } from '@q/core';
import type { Pool, QueueTopology } from '@q/core/adapter';
import type { TaskConsumer } from '../consumer/task-consumer.js';
import type { Timer } from '../consumer/timer.js';
import type { WorkerRuntime } from '../worker-runtime.js';
import type { ResolvedWorkerOptions } from '../worker-options.js';

/** The parts bootsteps create; present while the worker runs. */
export interface WorkerParts {
  transport?: Transport;
  backend?: ResultBackend | null;
  pool?: Pool;
  timer?: Timer;
  consumer?: TaskConsumer;
}

/**
 * The worker as its bootsteps see it. Type a plugin's bootstep as `Bootstep<WorkerHost>` (or `Bootstep<Worker>`:
 * the worker hands each step itself).
 *
 * @example
 * const heartbeat: Bootstep<WorkerHost> = {
 *   name: 'heartbeat',
 *   requires: ['pool'],
 *   async start(host) { host.logger.info({ slots: host.options.concurrency }, 'pool ready'); },
 *   async stop() {},
 * };
 */
export interface WorkerHost extends WorkerRuntime {
  readonly options: ResolvedWorkerOptions;
  /** Parts created by the bootsteps (for bootsteps and remote control; not for task code). */
  readonly parts: WorkerParts;
  /** Warm pool stop: wait for running tasks, up to `shutdownTimeout`, then go cold. */
  waitForPool(): Promise<void>;
  /** Abort running tasks; their unacked messages are requeued. */
  goCold(): Promise<void>;
  /** The queues to consume, with their topology (default: `options.queues` as the app declares them). */
  activeQueues?(): readonly QueueTopology[];
  /** Rate limits set at run time, tasks per second by task name (`null`: none). */
  readonly rateLimits?: ReadonlyMap<string, number | null>;
  /** Where the worker's events go (`null`: no event dispatcher installed). */
  readonly eventSink: EventSink | null;
  /** Install the event dispatcher (`@q/events` does), or remove it with `null`. */
  useEventSink(sink: EventSink | null): void;
  /** Whether task events are on now (`-E`, then `enable_events`/`disable_events`). */
  readonly taskEvents: boolean;
  /** Tasks running in the pool now. */
  readonly activeCount: number;
  /** Tasks finished since the worker started. */
  readonly processedCount: number;
}
