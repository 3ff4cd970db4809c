/**
 * A worker bootstep (Celery's blueprint steps). Steps start in dependency order and stop in reverse,
 * also when a start fails halfway. `W` is what the worker hands its steps: `@q/worker` passes its `Worker`, and
 * types its own steps against the narrower `WorkerHost` (a step typed against either works).
 */
export interface Bootstep<W = unknown> {
  /** Unique name, used by `requires`. */
  readonly name: string;
  /** Names of steps that must start before this one. */
  readonly requires?: readonly string[];
  /**
   * Names of steps that must start after this one (and stop before it), when they are there: how a plugin's step
   * gets in ahead of a built-in one (the `@q/events` dispatcher starts before the worker's `consumer`).
   */
  readonly before?: readonly string[];
  /** Whether this step runs for this worker (e.g. only with events enabled). Defaults to true. */
  enabled?(worker: W): boolean;
  start(worker: W): Promise<void>;
  /** `graceful: false` for a cold shutdown. */
  stop(worker: W, options: { graceful: boolean }): Promise<void>;
}
