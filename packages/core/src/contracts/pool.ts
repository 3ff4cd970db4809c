/**
 * Execution pools. A pool runs one job and reports an outcome; nothing throws across the pool boundary.
 */

/** A unit of work handed to a pool. */
export interface PoolJob {
  readonly taskId: string;
  readonly taskName: string;
  /** Runs the task body. `signal` aborts on soft time limit, revoke with terminate, or cold shutdown. */
  run(signal: AbortSignal): Promise<unknown>;
  /**
   * For pools that run the body elsewhere (a child process, a thread): does what must happen on the main thread
   * before the body runs (expiry, `STARTED`, `taskPrerun`), then calls `dispatch` with the job as data and the
   * callbacks the body may call back into (`accepted()` acks early), and returns what `dispatch` returns. The worker's jobs
   * implement it; a pool declaring `isolation` other than `'none'` needs it.
   */
  runRemote?(dispatch: (descriptor: JobDescriptor, callbacks: JobCallbacks) => Promise<unknown>): Promise<unknown>;
}

/** The request fields a task's context carries, as data (what a child needs to build `ctx`). */
export interface JobRequestFields {
  readonly id: string;
  readonly name: string;
  readonly retries: number;
  readonly eta: string | null;
  readonly expires: string | null;
  readonly parentId: string | null;
  readonly rootId: string | null;
  readonly groupId: string | null;
  readonly groupIndex: number | null;
  readonly hostname: string;
  readonly origin: string;
  readonly replyTo: string;
  readonly correlationId: string;
  readonly deliveryInfo: { exchange: string; routingKey: string; priority: number; redelivered: boolean };
  /** `[hard, soft]` seconds. */
  readonly timeLimit: [number | null, number | null];
  readonly headers: Readonly<Record<string, unknown>>;
  readonly callbacks: unknown;
  readonly errbacks: unknown;
  readonly chain: unknown;
  readonly chord: unknown;
  readonly argsrepr: string;
  readonly kwargsrepr: string;
}

/** A job as data: what a child process or thread needs to run a task body (structured-clone safe). */
export interface JobDescriptor {
  readonly taskName: string;
  readonly args: readonly unknown[];
  readonly kwargs: Readonly<Record<string, unknown>>;
  readonly request: JobRequestFields;
}

/** What a body running elsewhere may ask of the main thread (the main thread does it: stores, publishes). */
export interface JobCallbacks {
  /** `ctx.updateState(state, meta)`: the main thread stores it. */
  updateState(state: string, meta: unknown): Promise<void>;
  /**
   * The body starts now: the pool calls it when its child or thread takes the job (not when the job is queued for
   * one). The worker acks the message then (an early-ack task; Celery acks when a pool process accepts the job), so
   * a job still queued in a child at a cold shutdown or a crash goes back to the broker. A pool that never calls it
   * gets every message acked when its outcome is settled. `pid`: the process running it (what `inspect active`
   * reports as `worker_pid`; a thread's is the worker's own).
   */
  accepted(pid?: number): void;
}

/** An error as it crosses a process or thread boundary: core's encoded form plus the JS stack. */
export interface SerializedError {
  readonly exc_type: string;
  readonly exc_message: unknown[];
  readonly exc_module: string | null;
  readonly stack: string | null;
  /** A `QError`'s code, when the error was one. */
  readonly code?: string;
}

/** A control signal thrown by a body running elsewhere, as data. */
export type SerializedControl =
  | { type: 'retry'; countdownSeconds?: number; eta?: string; exc?: SerializedError; args?: readonly unknown[]; kwargs?: Record<string, unknown>; options?: Record<string, unknown> }
  | { type: 'reject'; requeue: boolean; reason?: unknown }
  | { type: 'ignore'; reason?: unknown }
  | { type: 'replace'; sig: unknown };

/** What a body running elsewhere reports back: its value, its error, or a control signal (`autoretryFor` already matched). */
export type RemoteOutcome =
  | { kind: 'success'; value: unknown }
  | { kind: 'failure'; error: SerializedError }
  | { kind: 'control'; control: SerializedControl };

/**
 * What a pool can do, as data: the worker reads these, never the pool's name.
 * - `isolation`: where bodies run (`none`: on the worker's event loop; `thread`; `process`).
 * - `hardTimeout`: a hard time limit stops the body (its thread or process is terminated and replaced).
 * - `terminate`: a running body can be killed (revoke with terminate).
 */
export interface PoolCapabilities {
  readonly isolation: 'none' | 'thread' | 'process';
  readonly hardTimeout: boolean;
  readonly terminate: boolean;
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
  /** What the pool can do (none declared: an in-process pool: `{ isolation: 'none', hardTimeout: false, terminate: false }`). */
  readonly capabilities?: PoolCapabilities;
  /** Slots available (tasks that may run at once). */
  readonly concurrency: number;
  /** Jobs running now. */
  readonly active: number;
  /**
   * Pids of the processes that run task bodies (remote control `stats`: `pool.processes`): a pool with child
   * processes lists its children; one without `pids` runs them in the worker's own process.
   */
  readonly pids?: readonly number[];
  start(): Promise<void>;
  /** Graceful: wait for running jobs; otherwise abort them. */
  stop(options: { graceful: boolean }): Promise<void>;
  run(job: PoolJob, options: PoolRunOptions): Promise<PoolOutcome>;
  grow?(n: number): void;
  shrink?(n: number): void;
  /**
   * Replace every child (Celery's `pool_restart`) so that new code loads: idle children now, busy ones after their
   * task; jobs queued in an old child and not started move to the new ones. Resolves once the replacements are
   * ready. Pools whose bodies run in the worker's own process cannot (they leave it out).
   */
  restart?(): Promise<void>;
  /**
   * New autoscale bounds (Celery's `autoscale` command): children beyond `max` retire (idle ones now, busy ones after
   * their task), children below `min` start. Returns the bounds applied, `[max, min]`. Only pools created with
   * `autoscale` have it.
   */
  setAutoscale?(max: number, min: number): readonly [number, number];
}

/** Options given to a pool factory. */
export interface PoolOptions {
  concurrency: number;
  /** Replace a child after it ran this many tasks (pools with children). */
  maxTasksPerChild?: number;
  /** Replace a child after its current task when its resident memory exceeds this many KiB (pools with children). */
  maxMemoryPerChild?: number;
  /** `[max, min]` children: grow with queued work, shrink when idle (pools that can). */
  autoscale?: readonly [number, number];
  /** How a child or thread loads the app (pools with children). */
  childApp?: ChildAppSource;
  /**
   * Celery's `-O` (pools with children): `fair` (the default, as in Celery) gives a child one task at a time;
   * `default` lets a child hold a few, started one after the other (fewer round trips: more tasks per second for
   * short tasks), acked when started, moved to a child that goes idle when their child reads its messages (a task
   * queued behind a long synchronous one waits for it, as in Celery without `-O fair`).
   */
  optimization?: 'fair' | 'default';
}

/**
 * How a child process or thread loads the app: import each `preload` module (calling its `register()` when it
 * exports one: a TypeScript loader), then import `module` and take its export `exportName` (default `app`, then
 * the default export); a function export is called with `args` and returns the app.
 */
export interface ChildAppSource {
  readonly module: string;
  readonly exportName?: string;
  readonly args?: unknown;
  readonly preload?: readonly string[];
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
  /** What the pool can do (none declared: an in-process pool: `{ isolation: 'none', hardTimeout: false, terminate: false }`). */
  readonly capabilities?: PoolCapabilities;
}

/** What `api.pool(name, …)` takes: a {@link PoolDefinition}, or a bare factory (its default concurrency: `'cpus'`). */
export type PoolRegistration = PoolDefinition | PoolFactory;
