/**
 * Execution pools. A pool runs one job and reports an outcome; nothing throws across the pool boundary.
 */

/** A unit of work handed to a pool. */
export interface PoolJob {
  readonly taskId: string;
  readonly taskName: string;
  /** Runs the task body. `signal` aborts on soft time limit, revoke with terminate, or cold shutdown. */
  run(signal: AbortSignal): Promise<unknown>;
}

/** Options of `Pool.run`. */
export interface PoolRunOptions {
  /** Abort from outside (revoke --terminate, cold shutdown). */
  signal?: AbortSignal;
  /** Soft time limit: the job's signal is aborted with a `TimeLimitExceededError` (soft). */
  softTimeoutMs?: number;
  /** Hard time limit: the job is abandoned and reported as `timeout`. */
  hardTimeoutMs?: number;
}

/** What came of a job. */
export type PoolOutcome =
  | { kind: 'success'; value: unknown; runtimeMs: number }
  | { kind: 'failure'; error: unknown; runtimeMs: number }
  | { kind: 'timeout'; limit: 'hard'; runtimeMs: number }
  | { kind: 'terminated'; reason: unknown; runtimeMs: number };

/** A pool of execution slots. */
export interface Pool {
  readonly name: string;
  /** Slots available (tasks that may run at once). */
  readonly concurrency: number;
  /** Jobs running now. */
  readonly active: number;
  start(): Promise<void>;
  /** Graceful: wait for running jobs; otherwise abort them. */
  stop(options: { graceful: boolean }): Promise<void>;
  run(job: PoolJob, options: PoolRunOptions): Promise<PoolOutcome>;
  grow?(n: number): void;
  shrink?(n: number): void;
}

/** Options given to a pool factory. */
export interface PoolOptions {
  concurrency: number;
}

/** Creates a pool. */
export type PoolFactory = (options: PoolOptions) => Pool;

/**
 * A pool as registered by name (`async`, `solo`, or through a plugin's `api.pool(name, definition)`): how to create
 * it, and how many tasks it runs at once when the user does not say. The worker resolves its concurrency from these
 * declarations, never from the pool's name.
 *
 * @example
 * api.pool('threads', { create: ({ concurrency }) => threadPool(concurrency), defaultConcurrency: 'cpus' });
 */
export interface PoolDefinition {
  create: PoolFactory;
  /**
   * Concurrency when neither `createWorker({ concurrency })` nor `worker.concurrency` gives one: a number, or
   * `'cpus'` for the number of CPUs (`os.availableParallelism()`). Default `'cpus'`.
   */
  readonly defaultConcurrency?: number | 'cpus';
  /** The pool always runs this many tasks at once (the `solo` pool: 1); a requested concurrency is ignored. */
  readonly fixedConcurrency?: number;
}

/** What `api.pool(name, …)` takes: a {@link PoolDefinition}, or a bare factory (its default concurrency: `'cpus'`). */
export type PoolRegistration = PoolDefinition | PoolFactory;
