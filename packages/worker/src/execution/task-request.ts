/**
 * A received task message on its way through the worker (Celery's `Request`), and small facts about it.
 */
import { parseIsoDate } from '@q/core/internal';
import type { Task, TaskHookInfo } from '@q/core';
import type { Delivery } from '@q/core/adapter';
import type { TaskMessage } from '@q/core/internal';

/** A decoded, registered task message and the delivery it came in. */
export interface TaskRequest {
  readonly message: TaskMessage;
  readonly delivery: Delivery;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tasks of any signature run here
  readonly task: Task<any, any>;
}

/** Payload fields every task hook carries. */
export function hookInfo(message: TaskMessage): TaskHookInfo {
  return { taskId: message.id, taskName: message.name, args: message.args, kwargs: message.kwargs, headers: message.extraHeaders };
}

/**
 * `[hard, soft]` seconds, per element: the message's `timelimit` header, then a limit set at run time for the
 * task, then the task's options, then the worker's defaults.
 */
export function effectiveTimeLimits(
  request: TaskRequest,
  limits?: { override: readonly [number | null | undefined, number | null | undefined] | undefined; defaults: readonly [number | null, number | null] },
): [number | null, number | null] {
  const [hard, soft] = request.message.timeLimit;
  const options = request.task.options;
  if (limits === undefined) return [hard ?? options.timeLimit ?? null, soft ?? options.softTimeLimit ?? null];
  const [oHard, oSoft] = limits.override ?? [undefined, undefined];
  return [
    hard ?? (oHard !== undefined ? oHard : (options.timeLimit ?? limits.defaults[0])),
    soft ?? (oSoft !== undefined ? oSoft : (options.softTimeLimit ?? limits.defaults[1])),
  ];
}

/** Parse a header date (`eta`/`expires`); naive strings are read in `timezone`. `null` when absent. */
export function headerTime(text: string | null, timezone: string): number | null {
  return text === null ? null : parseIsoDate(text, timezone).getTime();
}

/** True when the message has an `expires` in the past. */
export function isExpired(message: TaskMessage, timezone: string, now: number = Date.now()): boolean {
  const expires = headerTime(message.expires, timezone);
  return expires !== null && expires <= now;
}
