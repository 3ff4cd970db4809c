/**
 * The task a worker is running now, as seen from anywhere in its code (Celery's `current_worker_task`): what
 * sending from inside a task reads to set the new message's `parent_id` and `root_id`, and where it records
 * the new result as a child of the running task (Celery's `add_to_parent`), so the task's stored `children`
 * list it. Carried by an `AsyncLocalStorage`, so it follows the task's own `await`s, timers and callbacks.
 *
 * One store per process, even with two copies of `@q/core` loaded (an ESM worker and a CommonJS app module):
 * it lives on `globalThis` under a `Symbol.for` key.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** The running task, as sending from inside it needs it. */
export interface RunningTask {
  /** The task's id: the `parent_id` of what it sends. */
  readonly id: string;
  /** Its workflow's root (its own id for a top-level task): the `root_id` of what it sends. */
  readonly rootId: string;
  /** Result tuples of what it sent (`[[id, null], null]`, a group's `[[gid, null], [...]]`), in order. */
  readonly children: unknown[];
  /** Its delivery priority (`delivery_info.priority`), which `task.inheritParentPriority` passes on. */
  readonly priority?: number | null;
}

const KEY = Symbol.for('q.core.runningTask');
const store: AsyncLocalStorage<RunningTask> = ((globalThis as Record<symbol, unknown>)[KEY] ??= new AsyncLocalStorage<RunningTask>()) as AsyncLocalStorage<RunningTask>;

/** The task running in this async context, or `undefined` outside any task. */
export function currentTask(): RunningTask | undefined {
  return store.getStore();
}

/** Runs `fn` as `task`: whatever it sends, however deep in its async calls, is that task's child. */
export function runAsTask<T>(task: RunningTask, fn: () => T): T {
  return store.run(task, fn);
}
