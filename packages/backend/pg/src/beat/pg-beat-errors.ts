/** Driver errors of the beat store and lock → q errors (the driver's error kept as `cause`). */
import { BackendError, ConnectionError, isQError } from '@q/core';
import { isConnectionError } from '../store/pg-retry.js';

/** Run `fn` (`what` names it in the error): a lost connection rejects with a retryable `ConnectionError`. */
export async function pgBeatCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (isQError(error)) throw error;
    const message = error instanceof Error ? error.message : String(error);
    if (isConnectionError(error)) throw new ConnectionError('Q_ERR_CONNECTION_LOST', `PostgreSQL beat: ${what} failed: ${message}`, { cause: error, retryable: true });
    throw new BackendError('Q_ERR_BACKEND_FAILED', `PostgreSQL beat: ${what} failed: ${message}`, { cause: error });
  }
}
