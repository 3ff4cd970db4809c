/**
 * Retrying a statement while PostgreSQL is out of reach (a restart, a failover, a dropped connection): a lost
 * connection is retried with growing pauses for up to `retryForMs`; any other error (a constraint, a syntax error,
 * a value q cannot decode) fails at once. Errors leave as q's typed errors with the driver's error as `cause`.
 */
import { BackendError, ConnectionError, QError, type Logger } from '@q/core';

/** SQLSTATE classes and codes of a connection that is gone or not there yet. */
const CONNECTION_STATES = /^(08|57P0[1-3]|53300)/;
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ECONNABORTED']);
const CONNECTION_MESSAGES = /Connection terminated|connection error|Client was closed|timeout exceeded when trying to connect|terminating connection/i;

/** Whether `err` is a lost or refused connection (worth retrying) rather than a failed statement. */
export function isConnectionError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (CONNECTION_STATES.test(code) || CONNECTION_CODES.has(code))) return true;
  const message = (err as { message?: unknown }).message;
  return typeof message === 'string' && CONNECTION_MESSAGES.test(message);
}

/** Options of {@link withPgRetry}. */
export interface PgRetryOptions {
  /** Keep retrying a lost connection this long, ms. */
  retryForMs: number;
  logger: Logger;
  /** Checked before each retry: stop retrying (the backend is closing). */
  closed?: () => boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Run `fn` (`what` names it in logs and errors), retrying lost connections. */
export async function withPgRetry<T>(what: string, fn: () => Promise<T>, options: PgRetryOptions): Promise<T> {
  const deadline = Date.now() + options.retryForMs;
  let pause = 25;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof QError) throw err;
      if (!isConnectionError(err)) {
        throw new BackendError('Q_ERR_BACKEND_FAILED', `PostgreSQL result backend: ${what} failed: ${(err as Error).message ?? String(err)}`, { cause: err });
      }
      if (Date.now() + pause > deadline || options.closed?.()) {
        throw new ConnectionError('Q_ERR_CONNECTION_LOST', `PostgreSQL result backend: ${what}: the server is unreachable (${(err as Error).message ?? String(err)})`, {
          cause: err,
          retryable: true,
        });
      }
      if (attempt === 1) options.logger.warn({ err }, `PostgreSQL result backend: ${what}: connection lost, retrying for up to ${options.retryForMs} ms`);
      await sleep(pause);
      pause = Math.min(pause * 2, 1000);
    }
  }
}
