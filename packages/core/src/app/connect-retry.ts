/**
 * Connecting with retries (Celery `broker_connection_retry` / `broker_connection_max_retries`): a retryable
 * error (a `QError` with `retryable: true`, such as a refused connection) is retried with a growing delay
 * (0.1 s doubling up to 5 s); anything else fails at once. An abort signal ends the retries.
 */
import type { Logger } from '../contracts/logger.js';
import { isQError } from '../errors/q-error.js';
import type { ResolvedConfig } from '../config/options.js';

const FIRST_DELAY_MS = 100;
const MAX_DELAY_MS = 5000;
const NEVER = new AbortController().signal;

/** What the app connects: its transport or its result backend. */
export interface Connectable {
  connect(): Promise<void>;
  close(): Promise<void>;
  describe(): string;
}

/**
 * Connects `target`, retrying retryable failures per `conf.broker.connectionRetry`/`connectionMaxRetries`.
 * When `signal` aborts, the wait between attempts ends at once, no further attempt is made and the promise
 * rejects with `signal.reason`; an attempt under way is awaited and, if it connected, closed again.
 */
export async function connectWithRetry(
  target: Connectable,
  conf: ResolvedConfig,
  log: Logger,
  signal: AbortSignal = NEVER,
): Promise<void> {
  const max = conf.broker.connectionRetry ? (conf.broker.connectionMaxRetries ?? Infinity) : 0;
  for (let attempt = 0; ; attempt++) {
    signal.throwIfAborted();
    try {
      await target.connect();
    } catch (err) {
      if (!isQError(err) || !err.retryable || attempt >= max) throw err;
      signal.throwIfAborted();
      const delayMs = Math.min(FIRST_DELAY_MS * 2 ** attempt, MAX_DELAY_MS);
      // Adapters' errors often name the target already ("cannot connect to amqp://…: …"): said once.
      const where = target.describe();
      const reason = err.message.includes(where) ? err.message : `cannot connect to ${where}: ${err.message}`;
      log.warn({ err: err.message, attempt: attempt + 1, maxRetries: max === Infinity ? null : max }, `${reason}; retrying in ${delayMs / 1000}s`);
      await sleep(delayMs, signal);
      continue;
    }
    if (signal.aborted) await target.close().catch(() => undefined); // connected, but no longer wanted
    signal.throwIfAborted();
    return;
  }
}

/** Resolves after `ms`, or rejects with `signal.reason` as soon as `signal` aborts (clearing the timer). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
