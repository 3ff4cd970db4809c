/**
 * Celery's task state sets (`celery.states`): which states are final, which carry an exception, and which
 * make `AsyncResult.get()` throw.
 */
import type { TaskState } from '../contracts/result-backend.js';

/** Final states: SUCCESS, FAILURE, REVOKED. */
export const READY_STATES: readonly TaskState[] = Object.freeze(['SUCCESS', 'FAILURE', 'REVOKED']);
/** Not yet final. */
export const UNREADY_STATES: readonly TaskState[] = Object.freeze(['PENDING', 'RECEIVED', 'STARTED', 'REJECTED', 'RETRY']);
/** States whose `result` is an encoded exception: RETRY, FAILURE, REVOKED. */
export const EXCEPTION_STATES: readonly TaskState[] = Object.freeze(['RETRY', 'FAILURE', 'REVOKED']);
/** States that `get()` turns into a thrown error: FAILURE, REVOKED. */
export const PROPAGATE_STATES: readonly TaskState[] = Object.freeze(['FAILURE', 'REVOKED']);

/** True for SUCCESS, FAILURE and REVOKED. */
export function isReady(state: TaskState): boolean {
  return READY_STATES.includes(state);
}

/** True for RETRY, FAILURE and REVOKED. */
export function isExceptionState(state: TaskState): boolean {
  return EXCEPTION_STATES.includes(state);
}
