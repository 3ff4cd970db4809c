/**
 * What a stored state document means to a caller: the PENDING document of an id with nothing stored, the value or
 * `RemoteError` a ready document stands for, and the key `onMessage` uses to report each state change once.
 */
import type { TaskMeta } from '../contracts/result-backend.js';
import { QError, type RemoteError } from '../errors/q-error.js';
import { appModuleLoading } from '../config/app-module-loading.js';
import { encodeException, encodedTaskRevoked, isEncodedException, toRemoteError } from '../protocol/exceptions.js';
import { EXCEPTION_STATES } from './states.js';

/** The PENDING meta Celery reports for an id with nothing stored. */
export function pendingMeta(taskId: string): TaskMeta {
  return { taskId, status: 'PENDING', result: null, traceback: null, children: [], dateDone: null };
}

/** The error a FAILURE/REVOKED document stands for (the remote type, message and traceback). */
export function metaError(meta: TaskMeta, taskId: string): RemoteError {
  if (isEncodedException(meta.result)) return toRemoteError(meta.result, meta.traceback, taskId);
  // A failed state without an exception document: REVOKED is Celery's `TaskRevokedError('revoked')`, any other
  // state an `Exception` with the result's text.
  const enc = meta.status === 'REVOKED' ? encodedTaskRevoked('revoked') : encodeException(String(meta.result));
  return toRemoteError(enc, meta.traceback, taskId);
}

/** The `result` of a document, with an exception state's encoded exception as a `RemoteError` (not thrown). */
export function metaValue(meta: TaskMeta, taskId: string): unknown {
  if (EXCEPTION_STATES.includes(meta.status) && isEncodedException(meta.result)) {
    return toRemoteError(meta.result, meta.traceback, taskId);
  }
  return meta.result;
}

/**
 * An `onMessage` that reports each state change once: a document whose state and result equal the last one
 * reported is dropped, and nothing is reported after a ready one (a late, stale read cannot follow the final state).
 */
export function changesOnly(onMessage: (meta: TaskMeta) => void): (meta: TaskMeta, ready: boolean) => void {
  let last: string | null = null;
  let done = false;
  return (meta, ready) => {
    if (done) return;
    const key = `${meta.status}\u0000${safeJson(meta.result)}`;
    if (key === last) return;
    last = key;
    if (ready) done = true;
    onMessage(meta);
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'undefined';
  } catch {
    return String(value);
  }
}

/**
 * `q worker` imports the app module before it consumes anything, so a wait in that module's top-level code
 * (`await (await add.delay(2, 2)).get()`) would wait for a worker that cannot start until the wait ends.
 * @param what The wait, for the message: `result.get() was called for task <id>`.
 * @throws QError `Q_ERR_WAIT_DURING_IMPORT` while a `q` command imports the app module.
 */
export function refuseWaitDuringImport(what: string): void {
  const loading = appModuleLoading();
  if (loading === null) return;
  throw new QError(
    'Q_ERR_WAIT_DURING_IMPORT',
    `${what} while \`q ${loading.command}\` is importing the app module ${loading.module}: ` +
      `\`q ${loading.command}\` starts only after that import finishes, so this wait could never end (no worker consumes yet). ` +
      'Do not wait for results at the top level of the app module: send tasks and wait for their results from a ' +
      'client module (e.g. client.ts, run on its own), or inside a function called later.',
  );
}
