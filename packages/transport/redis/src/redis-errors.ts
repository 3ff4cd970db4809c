/** Maps ioredis errors to q errors: a Redis reply error is final, anything else (a lost connection) is retryable. */
import { ConnectionError, isQError, tlsVerifyCode } from '@q/core';

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
 * The error of a failed `connect()` (see `connection/connect-client.ts`): a server certificate that fails TLS
 * verification is final (`Q_ERR_CONNECTION_FAILED`, not retryable) and named; anything else maps as
 * {@link toQError}.
 */
export function connectError(error: unknown, where: string): Error {
  const code = tlsVerifyCode(error);
  if (code === null) return toQError(error, 'connect', where);
  const reason = error instanceof Error ? error.message : String(error);
  return new ConnectionError(
    'Q_ERR_CONNECTION_FAILED',
    `cannot connect to ${where}: the server's TLS certificate failed verification (check ssl_ca_certs and ssl_check_hostname): ${reason} (${code})`,
    { cause: error, retryable: false },
  );
}
