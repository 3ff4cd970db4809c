/**
 * Writing task states to the result backend, with Celery's document fields, and whether a task's states are
 * written at all. The exception documents stored with error states come from `@q/core` (`encodeException`,
 * `encodedTaskRevoked`, …).
 */
import { naiveUtcIso } from '@q/core/internal';
import type { TaskMeta, TaskState } from '@q/core';
import type { TaskMessage } from '@q/core/internal';
import type { WorkerRuntime } from '../worker-runtime.js';

/** Celery's ready states: `date_done` is set for these. */
const READY: ReadonlySet<string> = new Set(['SUCCESS', 'FAILURE', 'REVOKED']);

/** What to store besides the state. */
export interface StoreInit {
  status: TaskState;
  result: unknown;
  traceback?: string | null;
  /** Result tuples of tasks sent by this one (`[[id, null], null]`). */
  children?: unknown[];
  /** The queue the message came from (extended results). */
  queue?: string;
}

/** The state document of `message`'s task (what {@link storeState} writes, what a chord part reports). */
export function taskMeta(rt: WorkerRuntime, message: TaskMessage, init: StoreInit): TaskMeta {
  const meta: TaskMeta = {
    taskId: message.id,
    status: init.status,
    result: init.result,
    traceback: init.traceback ?? null,
    children: init.children ?? [],
    dateDone: READY.has(init.status) ? naiveUtcIso(new Date()) : null,
  };
  if (message.parentId !== null) meta.parentId = message.parentId;
  if (message.groupId !== null) meta.groupId = message.groupId;
  if (rt.app.conf.result.extended) {
    meta.extended = {
      name: message.name,
      args: message.args,
      kwargs: message.kwargs,
      worker: rt.hostname,
      retries: message.retries,
      queue: init.queue ?? null,
    };
  }
  return meta;
}

/**
 * Store a state for `message`'s task; returns the document stored (`null` when the app has no backend). Backend
 * errors are logged and swallowed: a result that cannot be written must not crash the worker nor change the
 * task's outcome.
 */
export async function storeState(rt: WorkerRuntime, message: TaskMessage, init: StoreInit): Promise<TaskMeta | null> {
  if (!rt.backend) return null;
  const meta = taskMeta(rt, message, init);
  await storeMeta(rt, message, meta);
  return meta;
}

/** Store `meta` (made by {@link taskMeta}) for `message`'s task, as {@link storeState} does. */
export async function storeMeta(rt: WorkerRuntime, message: TaskMessage, meta: TaskMeta): Promise<void> {
  if (!rt.backend) return;
  const expires = rt.app.conf.result.expires;
  try {
    await rt.backend.storeResult(meta, {
      expiresMs: expires === null ? null : expires * 1000,
      replyTo: message.replyTo,
      correlationId: message.correlationId,
    });
  } catch (err) {
    rt.logger.error({ err, taskId: message.id, state: meta.status }, `could not store ${meta.status} of ${message.name}[${message.id}]`);
  }
}

/** Whether the result of `message` is ignored: by its task's `ignoreResult` or by the message's `ignore_result`. */
export function ignoresResult(message: TaskMessage, taskIgnoresResult: boolean): boolean {
  return taskIgnoresResult || message.ignoreResult;
}

/**
 * Celery's `store_errors`: error states (RETRY, FAILURE, REVOKED) are stored unless the result is ignored, then
 * only with `task.storeErrorsEvenIfIgnored`.
 */
export function storesErrors(rt: WorkerRuntime, message: TaskMessage, taskIgnoresResult: boolean): boolean {
  return !ignoresResult(message, taskIgnoresResult) || rt.app.conf.task.storeErrorsEvenIfIgnored;
}
