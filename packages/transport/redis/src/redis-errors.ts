/** Maps ioredis errors to q errors: a Redis reply error is final, anything else (a lost connection) is retryable. */
import { ConnectionError, isQError } from '@q/core';
import { tlsVerifyFailure } from '@q/redis-client';

/** Wraps `error` from operation `op` against `where` (a masked URL). */
export function toQError(error: unknown, op: string, where: string): Error {
  if (isQError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  const reply = error instanceof Error && error.name === 'ReplyError';
  return new ConnectionError(reply ? 'Q_ERR_CONNECTION_FAILED' : 'Q_ERR_CONNECTION_LOST', `Redis ${op} failed on ${where}: ${message}`, {
    cause: error,
    retryable: !reply,
  });
}

/** Runs `fn`, mapping its error with {@link toQError}. */
export async function guarded<T>(op: string, where: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toQError(error, op, where);
  }
}

/**
 * The error of a failed `connect()` (`connectClients` of `@q/redis-client`): a server certificate that fails TLS
 * verification is final and named ({@link tlsVerifyFailure}); anything else maps as {@link toQError}.
 */
export function connectError(error: unknown, where: string): Error {
  return tlsVerifyFailure(error, where) ?? toQError(error, 'connect', where);
}
