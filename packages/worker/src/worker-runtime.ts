/**
 * What the consumer and the execution of a request (`execute-request.ts`, `trace.ts`) need from a running worker. The {@link Worker} implements it; the
 * parts only exist between the `connection`/`pool` bootsteps' start and stop.
 */
import type { App, EventSink, HookName, HookPayloads, Logger, ResultBackend, Transport } from '@q/core';
import type { Pool } from '@q/core/adapter';
import type { NodeState } from './state/node-state.js';

/** Counters behind `worker.stats()`. */
export interface WorkerCounters {
  /** Tasks that finished (any outcome) per task name. */
  processed: Map<string, number>;
  /** Received task messages waiting for a pool slot. */
  reserved: number;
  /** Received task messages held until their ETA. */
  scheduled: number;
}

/** The running worker, as its parts see it. */
export interface WorkerRuntime {
  readonly app: App;
  /** Node name (`celery@host`). */
  readonly hostname: string;
  readonly logger: Logger;
  readonly transport: Transport;
  /** `null` when the app stores no results. */
  readonly backend: ResultBackend | null;
  readonly pool: Pool;
  readonly counters: WorkerCounters;
  /** True once a cold shutdown began: terminated jobs are requeued, not failed. */
  readonly shuttingDown: boolean;
  /**
   * Time limits of task `name` set at run time (`worker.setTimeLimits`), then the worker's defaults
   * (`--time-limit`/`--soft-time-limit`), as `[hard, soft]` seconds; `undefined` elements fall through to the next.
   */
  timeLimitsOf?(name: string): { override: readonly [number | null | undefined, number | null | undefined] | undefined; defaults: readonly [number | null, number | null] } | undefined;
  /** Revoked ids, logical clock, jobs in the pool (absent in runtimes built without one: nothing is revoked). */
  readonly nodeState?: NodeState;
  /**
   * Where task events go while they are on (`-E`, `enable_events`) and an event dispatcher is installed; `null` (or
   * absent) otherwise, so the per-task path builds no event.
   */
  readonly taskEventSink?: EventSink | null;
  /** Whether any plugin handles hook `name` (lets the per-task path skip building payloads). */
  hasHook(name: HookName): boolean;
  /** Run a hook; a failing handler is logged, never thrown. */
  hook<N extends HookName>(name: N, payload: HookPayloads[N]): Promise<void>;
}
