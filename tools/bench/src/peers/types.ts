/** What the scenarios need from each system under test (q, Celery, BullMQ). */
import type { Redis } from 'ioredis';
import type { Child } from '../proc.js';

export type SystemName = 'q' | 'celery' | 'bullmq';

/** One worker configuration of a system: a column of the results table. */
export interface WorkerConfig {
  /** Stable id (`q-async`). */
  id: string;
  /** Column title (`q async c=100`). */
  label: string;
  /** The settings, for the report. */
  settings: string;
}

/** Outcome of the enqueue scenario. */
export interface EnqueueResult {
  count: number;
  seconds: number;
  /** How the client sent them. */
  method: string;
}

/** Drain progress, read from Redis by the harness. */
export interface Progress {
  /** Messages no longer waiting in the queue (taken by the worker). */
  taken: number;
  /** Tasks done (results off: acknowledged or removed; results on: result stored). */
  finished: number;
}

/** Things every system's scenarios get. */
export interface Context {
  redis: Redis;
  bundles: ReadonlyMap<string, string>;
  /** Why a worker bundle is missing, by name. */
  buildErrors: ReadonlyMap<string, string>;
  /** Run q workers under `--cpu-prof`. */
  profile: boolean;
}

/** A started worker process and what its start-up wait needs. */
export interface StartedWorker {
  child: Child;
  /** Resolves once the worker consumes (or at once when the system cannot tell). */
  ready: Promise<unknown>;
}

/** A system under test. */
export interface System {
  name: SystemName;
  /** Display name (`Celery`). */
  title: string;
  configs: readonly WorkerConfig[];
  /** Version string for the report. */
  version(ctx: Context): Promise<string>;
  /** The enqueue scenario: `n` no-op tasks through the system's own client, timed. */
  enqueue(ctx: Context, n: number): Promise<EnqueueResult>;
  /** Puts `n` no-op tasks in the queue as fast as possible (not timed). */
  preload(ctx: Context, n: number, results: boolean): Promise<void>;
  /** Starts a worker process. */
  startWorker(ctx: Context, config: WorkerConfig, results: boolean): StartedWorker;
  /** Progress of a drain of `n` pre-enqueued tasks. */
  progress(ctx: Context, n: number, results: boolean): Promise<Progress>;
  /** Sequential apply → result calls against a running worker; latencies in ms of the last `n`. */
  roundTrip(ctx: Context, n: number, warmup: number): Promise<number[]>;
}
