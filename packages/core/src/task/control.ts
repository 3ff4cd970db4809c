/**
 * Task control-flow signals (Celery's `Retry`, `Reject`, `Ignore`, and `Task.replace`'s replacement). They are thrown by task code (or by
 * `ctx.retry()`) and caught by the worker, but they are deliberately **not** `Error` subclasses, so a
 * `catch (err) { if (err instanceof Error) … }` in user code does not swallow them by accident.
 * Each is branded with a `Symbol.for` key, so the guards work across two copies of `@q/core`.
 */
import type { WireSignature } from '../protocol/task-message.js';
import type { ApplyOptions } from './types.js';

const RETRY = Symbol.for('q.control.retry');
const REJECT = Symbol.for('q.control.reject');
const IGNORE = Symbol.for('q.control.ignore');
const REPLACE = Symbol.for('q.control.replace');

function branded(value: unknown, brand: symbol): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

/** What a {@link Retry} carries. */
export interface RetryInit {
  /** Seconds before the retry runs. */
  countdownSeconds?: number;
  /** Absolute time of the retry. */
  eta?: Date;
  /** The reason (stored in the RETRY state). */
  exc?: unknown;
  /** Replacement arguments. */
  args?: readonly unknown[];
  kwargs?: Record<string, unknown>;
  /** `applyAsync` options for the re-published message. */
  options?: ApplyOptions;
}

/** The task asks to be retried (thrown by `ctx.retry()`). */
export class Retry {
  readonly countdownSeconds?: number;
  readonly eta?: Date;
  readonly exc?: unknown;
  readonly args?: readonly unknown[];
  readonly kwargs?: Record<string, unknown>;
  readonly options?: ApplyOptions;

  constructor(init: RetryInit = {}) {
    Object.defineProperty(this, RETRY, { value: true, enumerable: false });
    if (init.countdownSeconds !== undefined) this.countdownSeconds = init.countdownSeconds;
    if (init.eta !== undefined) this.eta = init.eta;
    if ('exc' in init) this.exc = init.exc;
    if (init.args !== undefined) this.args = init.args;
    if (init.kwargs !== undefined) this.kwargs = init.kwargs;
    if (init.options !== undefined) this.options = init.options;
  }

  /** For logs: `Retry in 5s: reason`. */
  toString(): string {
    const when =
      this.eta !== undefined
        ? ` at ${this.eta.toISOString()}`
        : this.countdownSeconds !== undefined
          ? ` in ${this.countdownSeconds}s`
          : '';
    const why = this.exc === undefined ? '' : `: ${this.exc instanceof Error ? this.exc.message : String(this.exc)}`;
    return `Retry${when}${why}`;
  }
}

/** The task rejects its message: dropped (or dead-lettered), or requeued with `requeue: true`. */
export class Reject {
  readonly requeue: boolean;
  readonly reason?: unknown;

  constructor(init: { requeue?: boolean; reason?: unknown } = {}) {
    Object.defineProperty(this, REJECT, { value: true, enumerable: false });
    this.requeue = init.requeue ?? false;
    if ('reason' in init) this.reason = init.reason;
  }

  toString(): string {
    return `Reject(requeue=${this.requeue})${this.reason === undefined ? '' : `: ${String(this.reason)}`}`;
  }
}

/** The task asks the worker to store no state for this run (Celery `Ignore`). */
export class Ignore {
  readonly reason?: unknown;

  constructor(reason?: unknown) {
    Object.defineProperty(this, IGNORE, { value: true, enumerable: false });
    if (reason !== undefined) this.reason = reason;
  }

  toString(): string {
    return `Ignore${this.reason === undefined ? '' : `: ${String(this.reason)}`}`;
  }
}

/** The task replaces itself with a signature (thrown by `ctx.replace(sig)`, Celery's `Task.replace`). */
export class Replace {
  /** The replacement, as a signature dict. */
  readonly sig: WireSignature;

  constructor(sig: WireSignature) {
    Object.defineProperty(this, REPLACE, { value: true, enumerable: false });
    this.sig = sig;
  }

  toString(): string {
    return `Replaced by ${this.sig.task}`;
  }
}

/** True when `value` is a {@link Retry} (from any copy of `@q/core`). */
export function isRetry(value: unknown): value is Retry {
  return branded(value, RETRY);
}
/** True when `value` is a {@link Reject}. */
export function isReject(value: unknown): value is Reject {
  return branded(value, REJECT);
}
/** True when `value` is an {@link Ignore}. */
export function isIgnore(value: unknown): value is Ignore {
  return branded(value, IGNORE);
}
/** True when `value` is a {@link Replace}. */
export function isReplace(value: unknown): value is Replace {
  return branded(value, REPLACE);
}
/** True for any control signal. */
export function isControlSignal(value: unknown): value is Retry | Reject | Ignore | Replace {
  return isRetry(value) || isReject(value) || isIgnore(value) || isReplace(value);
}
