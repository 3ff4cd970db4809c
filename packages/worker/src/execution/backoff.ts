/**
 * Retry delays for `autoretryFor` (Celery's `get_exponential_backoff_interval`).
 */

/** The backoff settings of a task. */
export interface BackoffOptions {
  /** `true` = factor 1 s; a number = factor in seconds; `false` = no backoff. */
  retryBackoff: boolean | number;
  /** Cap, seconds. */
  retryBackoffMax: number;
  /** Pick uniformly in `[0, countdown]`. */
  retryJitter: boolean;
}

/**
 * Seconds before retry number `retries + 1`: `min(factor * 2 ** retries, max)`, then with jitter a uniform
 * random value in `[0, countdown]`. Celery draws an integer (`randrange(countdown + 1)`); we draw a real
 * number so sub-second factors stay useful. `null` when the task has no backoff (use its default delay).
 */
export function backoffCountdown(options: BackoffOptions, retries: number, random: () => number = Math.random): number | null {
  if (options.retryBackoff === false) return null;
  const factor = options.retryBackoff === true ? 1 : options.retryBackoff;
  const countdown = Math.min(options.retryBackoffMax, factor * 2 ** retries);
  const value = options.retryJitter ? random() * countdown : countdown;
  return Math.max(0, value);
}
