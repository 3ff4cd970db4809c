/** Native ioredis errors → q errors (the native one is kept as `cause`). */
import { BackendError, ConnectionError, isQError } from '@q/core';
import { tlsVerifyFailure } from '@q/redis-client';

const CONNECTION_MESSAGES = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EHOSTUNREACH|Connection is closed|Stream isn't writeable|MaxRetriesPerRequestError|Reached the max retries/i;

/** Map an error thrown by ioredis during `what` to a q error: lost connections are retryable. */
export function toQError(error: unknown, what: string): Error {
  if (isQError(error)) return error as Error;
  const message = error instanceof Error ? error.message : String(error);
  if (CONNECTION_MESSAGES.test(message) || (error instanceof Error && error.name === 'MaxRetriesPerRequestError')) {
    return new ConnectionError('Q_ERR_CONNECTION_LOST', `redis: ${what} failed: ${message}`, { cause: error, retryable: true });
  }
  return new BackendError('Q_ERR_BACKEND_FAILED', `redis: ${what} failed: ${message}`, { cause: error });
}

/**
 * The error of a failed connect (`what`) to `where` (a masked URL): a server certificate that fails TLS verification
 * is final and named, as in the transport (`tlsVerifyFailure` of `@q/redis-client`); the rest maps as {@link toQError}.
 */
export function connectError(error: unknown, what: string, where: string): Error {
  return tlsVerifyFailure(error, where) ?? toQError(error, what);
}

/** Run `fn`, mapping what it throws with {@link toQError}. */
export async function redisCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toQError(error, what);
  }
}

/** A MULTI/EXEC reply: each command's result, or the first command error thrown. */
export async function execTransaction(
  what: string,
  tx: { exec(): Promise<[error: Error | null, result: unknown][] | null> },
): Promise<unknown[]> {
  const replies = await redisCall(what, () => tx.exec());
  if (replies === null) throw new BackendError('Q_ERR_BACKEND_FAILED', `redis: ${what}: transaction aborted`);
  return replies.map(([error, result]) => {
    if (error) throw toQError(error, what);
    return result;
  });
}
