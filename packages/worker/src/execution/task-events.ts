/**
 * The fields of the task events a worker sends (Celery's `send_event` calls in its strategy, `Request` and trace;
 * spec §7.3), named as on the wire. Built only when the worker's {@link WorkerRuntime.taskEventSink} is set.
 */
import { exceptionRepr, pythonRepr } from '@q/core/internal';
import type { TaskMessage } from '@q/core/internal';
import type { EncodedException } from '@q/core/adapter';

/** `task-received`: what a monitor lists about a task it has not seen yet. */
export function receivedFields(message: TaskMessage): Record<string, unknown> {
  return {
    uuid: message.id,
    name: message.shadow ?? message.name,
    args: message.argsrepr,
    kwargs: message.kwargsrepr,
    root_id: message.rootId,
    parent_id: message.parentId,
    retries: message.retries,
    eta: message.eta,
    expires: message.expires,
  };
}

/** `task-succeeded`: the result as Python's `repr` (cut at 1024 characters, Celery's `resultrepr_maxsize`) and the runtime in seconds. */
export function succeededFields(taskId: string, value: unknown, runtimeMs: number): Record<string, unknown> {
  return { uuid: taskId, result: pythonRepr(value, 1024), runtime: runtimeMs / 1000 };
}

/** `task-failed` and `task-retried`: the exception as Python's `repr` (`ValueError('bad thing')`) and the traceback. */
export function errorFields(taskId: string, exc: EncodedException, traceback: string | null): Record<string, unknown> {
  return { uuid: taskId, exception: exceptionRepr(exc), traceback };
}

/** `task-revoked`: terminated (with the signal's number) or not run (`expired` when its expiry passed). */
export function revokedFields(taskId: string, how: { terminated: boolean; signum: number | null; expired: boolean }): Record<string, unknown> {
  return { uuid: taskId, terminated: how.terminated, signum: how.signum, expired: how.expired };
}
