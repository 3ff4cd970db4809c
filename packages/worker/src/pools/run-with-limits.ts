/**
 * Runs one pool job on the event loop with soft and hard time limits and an outer abort signal.
 *
 * Per-job cost matters here (it runs for every task): the job's `AbortSignal` is only created when the job
 * reads it or something aborts it (creating one costs microseconds), timers only exist when a limit is set,
 * and the outer signal is only listened to when one is given.
 */
import { TimeLimitExceededError } from '@q/core';
import type { PoolJob, PoolOutcome, PoolRunOptions } from '@q/core/adapter';

/**
 * A {@link PoolJob} that takes its signal lazily: the worker's pools call `runLazy` with a function that
 * creates the signal on first use, instead of `run` with a signal created up front.
 */
export interface LazySignalJob extends PoolJob {
  runLazy(signal: () => AbortSignal): Promise<unknown>;
}

function isLazySignalJob(job: PoolJob): job is LazySignalJob {
  return typeof (job as Partial<LazySignalJob>).runLazy === 'function';
}

/**
 * One run of one job: `start()` runs it; `done` resolves with its outcome and never rejects. `onDone` is
 * called once, just before `done` resolves.
 */
export class JobRun {
  readonly done: Promise<PoolOutcome>;
  readonly #job: PoolJob;
  readonly #outer: AbortSignal | undefined;
  readonly #startedAt = performance.now();
  #controller: AbortController | undefined;
  #soft: ReturnType<typeof setTimeout> | undefined;
  #hard: ReturnType<typeof setTimeout> | undefined;
  #settled = false;
  /** The body's own promise settled (a body abandoned at its hard limit may run on after the outcome). */
  #bodyDone = false;
  #resolve!: (outcome: PoolOutcome) => void;
  /** Bound once per run, only when an outer signal is given. */
  #onOuterAbort: (() => void) | undefined;
  readonly #options: PoolRunOptions;
  readonly #onDone: ((run: JobRun) => void) | undefined;

  constructor(job: PoolJob, options: PoolRunOptions, onDone?: (run: JobRun) => void) {
    this.#job = job;
    this.#options = options;
    this.#outer = options.signal;
    this.#onDone = onDone;
    this.done = new Promise<PoolOutcome>((resolve) => {
      this.#resolve = resolve;
    });
  }

  /** Start the job, its time limits and the outer-signal listener. Call once. */
  start(): void {
    const options = this.#options;
    const outer = options.signal;
    if (outer) {
      if (outer.aborted) {
        this.terminate(outer.reason);
        return;
      }
      this.#onOuterAbort = () => this.terminate(outer.reason);
      outer.addEventListener('abort', this.#onOuterAbort, { once: true });
    }
    const soft = options.softTimeoutMs;
    if (soft !== undefined) this.#soft = setTimeout(() => this.#onSoftLimit(soft), soft);
    const hard = options.hardTimeoutMs;
    if (hard !== undefined) this.#hard = setTimeout(() => this.#onHardLimit(hard), hard);
    this.#run();
  }

  /** The job's signal (created on first use). */
  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    return this.#controller.signal;
  }

  /** Abort the job's signal with `reason`. */
  abort(reason: unknown): void {
    this.#controller ??= new AbortController();
    this.#controller.abort(reason);
  }

  /** Abort the job's signal and resolve `terminated` at once (revoke with terminate, cold shutdown). */
  terminate(reason: unknown): void {
    this.abort(reason);
    this.#finish({ kind: 'terminated', reason, runtimeMs: this.#elapsed() });
  }

  #elapsed(): number {
    return performance.now() - this.#startedAt;
  }

  #run(): void {
    const job = this.#job;
    let running: Promise<unknown>;
    try {
      running = Promise.resolve(isLazySignalJob(job) ? job.runLazy(() => this.signal) : job.run(this.signal));
    } catch (error) {
      this.#finish({ kind: 'failure', error, runtimeMs: this.#elapsed() });
      return;
    }
    running.then(
      (value) => this.#bodySettled({ kind: 'success', value, runtimeMs: this.#elapsed() }),
      (error: unknown) => this.#bodySettled({ kind: 'failure', error, runtimeMs: this.#elapsed() }),
    );
  }

  #bodySettled(outcome: PoolOutcome): void {
    this.#bodyDone = true;
    if (this.#settled) {
      // The outcome went out at the hard limit; the slot the body held is free only now.
      if (this.#hardLimited) this.#onDone?.(this);
      return;
    }
    this.#finish(outcome);
  }

  #onSoftLimit(ms: number): void {
    const job = this.#job;
    this.abort(new TimeLimitExceededError('Q_ERR_SOFT_TIME_LIMIT', `soft time limit (${ms / 1000}s) exceeded for ${job.taskName}[${job.taskId}]`));
  }

  /** The outcome went out at the hard limit while the body still ran. */
  #hardLimited = false;

  #onHardLimit(ms: number): void {
    const job = this.#job;
    this.#hardLimited = !this.#bodyDone;
    this.abort(new TimeLimitExceededError('Q_ERR_HARD_TIME_LIMIT', `hard time limit (${ms / 1000}s) exceeded for ${job.taskName}[${job.taskId}]`));
    this.#finish({ kind: 'timeout', limit: 'hard', runtimeMs: this.#elapsed() });
  }

  #finish(outcome: PoolOutcome): void {
    if (this.#settled) return;
    this.#settled = true;
    if (this.#soft !== undefined) clearTimeout(this.#soft);
    if (this.#hard !== undefined) clearTimeout(this.#hard);
    if (this.#onOuterAbort) this.#outer?.removeEventListener('abort', this.#onOuterAbort);
    // A body abandoned at its hard limit keeps its slot until it settles: never more than `concurrency` bodies run.
    if (!this.#hardLimited) this.#onDone?.(this);
    this.#resolve(outcome);
  }
}

/**
 * Run `job` now. Never throws.
 *
 * - Soft limit: the job's signal is aborted with a `TimeLimitExceededError` (`Q_ERR_SOFT_TIME_LIMIT`) as
 *   its reason; the job may catch it, clean up and finish (its outcome is then whatever it returns or throws).
 * - Hard limit: resolves `{ kind: 'timeout' }` at once and aborts the job's signal with a
 *   `TimeLimitExceededError` (`Q_ERR_HARD_TIME_LIMIT`). A promise on the event loop cannot be killed: if the
 *   job ignores its signal, it keeps running in the background and whatever it later returns is discarded; in a
 *   slot pool it keeps its slot until it settles.
 * - Outer signal (revoke with terminate, cold shutdown): resolves `{ kind: 'terminated' }` at once, with the
 *   signal's reason, and aborts the job's signal with that reason.
 */
export function runWithLimits(job: PoolJob, options: PoolRunOptions): Promise<PoolOutcome> {
  const run = new JobRun(job, options);
  run.start();
  return run.done;
}
