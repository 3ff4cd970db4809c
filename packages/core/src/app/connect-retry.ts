/**
 * Connecting with retries (Celery `broker_connection_retry` / `broker_connection_max_retries`): a retryable
 * error (a `QError` with `retryable: true`, such as a refused connection) is retried with a growing delay
 * (0.1 s doubling up to 5 s); anything else fails at once.
 */
import type { Logger } from '../contracts/logger.js';
import { isQError } from '../errors/q-error.js';
import type { ResolvedConfig } from './options.js';

const FIRST_DELAY_MS = 100;
const MAX_DELAY_MS = 5000;

/** Runs `connect`, retrying retryable failures per `conf.broker.connectionRetry`/`connectionMaxRetries`. */
export async function connectWithRetry(
  connect: () => Promise<void>,
  conf: ResolvedConfig,
  log: Logger,
  what: string,
): Promise<void> {
  const max = conf.broker.connectionRetry ? (conf.broker.connectionMaxRetries ?? Infinity) : 0;
  for (let attempt = 0; ; attempt++) {
    try {
      await connect();
      return;
    } catch (err) {
      if (!isQError(err) || !err.retryable || attempt >= max) throw err;
      const delayMs = Math.min(FIRST_DELAY_MS * 2 ** attempt, MAX_DELAY_MS);
      log.warn(
        { err: err.message, attempt: attempt + 1, maxRetries: max === Infinity ? null : max },
        `cannot connect to ${what}: ${err.message}; retrying in ${delayMs / 1000}s`,
      );
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
