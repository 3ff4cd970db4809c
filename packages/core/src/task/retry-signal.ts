/**
 * What `ctx.retry(options)` throws (Celery's `Task.retry`), for a worker's context and an eager one alike: past
 * `maxRetries` the retry's `exc` (or a `MaxRetriesExceededError`); otherwise a {@link Retry} carrying when to run
 * again (`eta`, else `countdown`, else the task's `defaultRetryDelay`), the reason and any replaced arguments.
 */
import { MaxRetriesExceededError } from '../errors/q-error.js';
import { parseIsoDate } from '../protocol/time.js';
import { Retry, type RetryInit } from './control.js';
import type { RetryOptions } from './types.js';

/** The run being retried. */
export interface RetryTarget {
  readonly id: string;
  readonly name: string;
  /** How many times it ran before this run. */
  readonly retries: number;
  /** The task's `maxRetries` (`null`: forever) and `defaultRetryDelay` (seconds). */
  readonly maxRetries: number | null;
  readonly defaultRetryDelay: number;
  /** `argsrepr` / `kwargsrepr` of the run, for the `MaxRetriesExceededError` message. */
  readonly argsrepr: string;
  readonly kwargsrepr: string;
  /** The app's time zone: a naive `eta` string is read in it. */
  readonly timezone: string;
}

/**
 * The control signal of `ctx.retry(options)` for `target`: always throws.
 * @throws `options.exc`, or MaxRetriesExceededError `Q_ERR_MAX_RETRIES_EXCEEDED`, when retries are exhausted; the
 *   {@link Retry} otherwise.
 */
export function throwRetry(options: RetryOptions, target: RetryTarget): never {
  const max = options.maxRetries !== undefined ? options.maxRetries : target.maxRetries;
  if (max !== null && target.retries >= max) {
    if (options.exc !== undefined) throw options.exc;
    throw new MaxRetriesExceededError(
      'Q_ERR_MAX_RETRIES_EXCEEDED',
      `Can't retry ${target.name}[${target.id}] args:${target.argsrepr} kwargs:${target.kwargsrepr}`,
    );
  }
  const init: RetryInit = {};
  if (options.eta !== undefined) init.eta = options.eta instanceof Date ? options.eta : parseIsoDate(options.eta, target.timezone);
  else init.countdownSeconds = options.countdown ?? target.defaultRetryDelay;
  if (options.exc !== undefined) init.exc = options.exc;
  if (options.args !== undefined) init.args = options.args;
  if (options.kwargs !== undefined) init.kwargs = options.kwargs;
  if (options.options !== undefined) init.options = options.options;
  throw new Retry(init);
}
