/** What the scenarios need from each system under test (q, Celery, BullMQ, raw amqplib). */
import type { Broker, Progress } from '../brokers/types.js';
import type { BrokerName } from '../config.js';
import type { Child } from '../proc.js';

export type { Progress };

export type SystemName = 'q' | 'celery' | 'bullmq' | 'amqplib';

/** One worker configuration of a system: a row of the results table. */
export interface WorkerConfig {
  /** Stable id (`q-async`). */
  id: string;
  /** Row title (`q async c=100`). */
  label: string;
  /** The settings, for the report. */
  settings: string;
  /** Command-line flags of a configuration defined outside its peer (`bench:pg`'s Celery rows); a peer's own configs leave it out. */
  flags?: readonly string[];
  /** The brokers this configuration runs on (absent: every broker of its system). */
  brokers?: readonly BrokerName[];
}

/** Outcome of the enqueue scenario. */
export interface EnqueueResult {
  count: number;
  seconds: number;
  /** How the client sent them. */
  method: string;
}

/** Things every system's scenarios get. */
export interface Context {
  /** The broker of this part of the run, with the harness's connection. */
  broker: Broker;
  bundles: ReadonlyMap<string, string>;
  /** Why a worker bundle is missing, by name. */
  buildErrors: ReadonlyMap<string, string>;
  /** Run q workers under `--cpu-prof`. */
  profile: boolean;
  /** Names the scenario in a profile's file name (default: results or noresults). */
  profileTag?: string;
  /** The level q's worker logs at (default `warn`, as the Celery workers run; the log-level scenario sets `info`). */
  logLevel?: 'info' | 'warn';
}

/** A started worker process and what its start-up wait needs. */
export interface StartedWorker {
  child: Child;
  /** Resolves once the worker consumes (or at once when the system cannot tell). */
  ready: Promise<unknown>;
}

/** The chord scenario's client side (Redis, results on): a chord of `n` no-op header tasks and a counting body. */
export interface ChordClient {
  /** The configurations (ids) the chord runs with: the system's best. */
  configs: readonly string[];
  /**
   * The worker is running: one warm-up chord of `warmup` header tasks, then the timed one (signatures built
   * before the clock starts): seconds from the apply call to the body's result, and the time spent in the call.
   */
  run(ctx: Context, n: number, warmup: number): Promise<{ seconds: number; applySeconds: number }>;
  /** No worker runs: applies the chord and returns the body's task id (the harness then watches for its result). */
  apply(ctx: Context, n: number): Promise<{ bodyId: string; applySeconds: number }>;
}

/** A system under test. */
export interface System {
  name: SystemName;
  /** Display name (`Celery`). */
  title: string;
  /** The brokers it runs on. */
  brokers: readonly BrokerName[];
  configs: readonly WorkerConfig[];
  /** Version string for the report. */
  version(ctx: Context): Promise<string>;
  /** The enqueue scenario: `n` no-op tasks through the system's own client, timed (absent: no client of its own). */
  enqueue?(ctx: Context, n: number): Promise<EnqueueResult>;
  /** Puts `n` no-op tasks in the queue as fast as possible (not timed). */
  preload(ctx: Context, n: number, results: boolean): Promise<void>;
  /** Starts a worker process. */
  startWorker(ctx: Context, config: WorkerConfig, results: boolean): StartedWorker;
  /** Progress of a drain of `n` pre-enqueued tasks. */
  progress(ctx: Context, n: number, results: boolean): Promise<Progress>;
  /** Sequential apply → result calls against a running worker; latencies in ms of the last `n` (absent: no client). */
  roundTrip?(ctx: Context, n: number, warmup: number): Promise<number[]>;
  /** The chord scenario's client (absent: the system has no chords in the bench). */
  chord?: ChordClient;
}
