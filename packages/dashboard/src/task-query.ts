/**
 * The tasks list query of the API: filters, the total, and one page, newest first (by the timestamp of the event
 * that set the state, then clock, as `ClusterState.tasksByTime`). Made for 100 000 tasks per request: one pass, no
 * copy of the whole list, no sort of it (only the best `offset + limit` are kept, in order), and a case-insensitive
 * search by a regular expression, which allocates nothing per task.
 */
import type { TaskInfo } from '@q/events';

/** Filters and page of {@link queryTasks}. */
export interface TaskListQuery {
  /** Only tasks in one of these states. */
  states?: readonly string[];
  name?: string;
  worker?: string;
  /** Text in the uuid, name, args, kwargs or result (case-insensitive). */
  search?: string;
  offset: number;
  limit: number;
}

/** A page of tasks and how many matched in all. */
export interface TaskPage {
  total: number;
  tasks: Readonly<TaskInfo>[];
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `a` comes before `b` in the list (newer). */
function newer(a: Readonly<TaskInfo>, b: Readonly<TaskInfo>): boolean {
  const at = a.timestamp ?? 0;
  const bt = b.timestamp ?? 0;
  return at !== bt ? at > bt : a.clock > b.clock;
}

/** Runs `query` over `tasks`; see the module comment. */
export function queryTasks(tasks: Iterable<Readonly<TaskInfo>>, query: TaskListQuery): TaskPage {
  const states = query.states === undefined ? undefined : new Set(query.states);
  const needle = query.search === undefined || query.search === '' ? undefined : new RegExp(escape(query.search), 'i');
  const keep = query.offset + query.limit;
  /** The best `keep` so far, newest first. */
  const best: Readonly<TaskInfo>[] = [];
  let total = 0;
  for (const task of tasks) {
    if (states !== undefined && !states.has(task.state)) continue;
    if (query.name !== undefined && task.name !== query.name) continue;
    if (query.worker !== undefined && task.worker !== query.worker) continue;
    if (needle !== undefined && !matches(task, needle)) continue;
    total += 1;
    if (keep === 0) continue;
    const last = best[best.length - 1];
    if (best.length >= keep && last !== undefined && !newer(task, last)) continue;
    // Binary search for the insertion point (after every task at least as new).
    let lo = 0;
    let hi = best.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (newer(task, best[mid] as Readonly<TaskInfo>)) hi = mid;
      else lo = mid + 1;
    }
    best.splice(lo, 0, task);
    if (best.length > keep) best.pop();
  }
  return { total, tasks: best.slice(query.offset) };
}

function matches(task: Readonly<TaskInfo>, needle: RegExp): boolean {
  return (
    needle.test(task.uuid) ||
    (task.name !== undefined && needle.test(task.name)) ||
    (task.args !== undefined && needle.test(task.args)) ||
    (task.kwargs !== undefined && needle.test(task.kwargs)) ||
    (task.result !== undefined && needle.test(task.result))
  );
}
