/**
 * The filtered, newest-first tasks of a {@link ClusterState} (`tasksByTime`, `taskPage`). A page keeps only the
 * `offset + limit` newest matches while it walks the tasks (a binary-searched insertion into a short list), so a
 * monitor asking for the latest 50 of 100 000 tasks neither copies nor sorts them all; without a limit every match
 * is collected and sorted once.
 */
import type { TaskInfo } from './task-info.js';

/** Filters of a task listing. */
export interface TaskQuery {
  /** At most this many tasks. */
  limit?: number;
  /** Skip this many of the newest matches first (default 0). */
  offset?: number;
  /** Only tasks in this state (or one of these). */
  state?: string | readonly string[];
  /** Only tasks of this name. */
  name?: string;
  /** Only tasks last handled by this worker (node name). */
  worker?: string;
  /** Only tasks whose uuid, name, args, kwargs or result contain this text (case-insensitive, taken literally). */
  search?: string;
}

/** A page of tasks and how many matched in all. */
export interface TaskPage {
  total: number;
  tasks: TaskInfo[];
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Newer: the later timestamp of the event that set the state, then the higher clock. */
function newer(a: TaskInfo, b: TaskInfo): boolean {
  const at = a.timestamp ?? 0;
  const bt = b.timestamp ?? 0;
  return at !== bt ? at > bt : a.clock > b.clock;
}

function matches(task: TaskInfo, needle: RegExp): boolean {
  for (const text of [task.uuid, task.name, task.args, task.kwargs, task.result]) {
    if (text !== undefined && needle.test(text)) return true;
  }
  return false;
}

/** The tasks of `tasks` that `query` selects, newest first, `offset`/`limit` applied, with the number that matched. */
export function taskPage(tasks: Iterable<TaskInfo>, query: TaskQuery = {}): TaskPage {
  const states = query.state === undefined ? undefined : new Set(typeof query.state === 'string' ? [query.state] : query.state);
  const needle = query.search === undefined || query.search === '' ? undefined : new RegExp(escape(query.search), 'i');
  const offset = Math.max(0, query.offset ?? 0);
  const keep = query.limit === undefined ? Infinity : offset + Math.max(0, query.limit);
  const best: TaskInfo[] = [];
  let total = 0;
  for (const task of tasks) {
    if (states !== undefined && !states.has(task.state)) continue;
    if (query.name !== undefined && task.name !== query.name) continue;
    if (query.worker !== undefined && task.worker !== query.worker) continue;
    if (needle !== undefined && !matches(task, needle)) continue;
    total += 1;
    if (keep === Infinity) {
      best.push(task);
      continue;
    }
    if (keep === 0) continue;
    const last = best[best.length - 1];
    if (best.length >= keep && last !== undefined && !newer(task, last)) continue;
    let lo = 0;
    let hi = best.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (newer(task, best[mid] as TaskInfo)) hi = mid;
      else lo = mid + 1;
    }
    best.splice(lo, 0, task);
    if (best.length > keep) best.pop();
  }
  if (keep === Infinity) best.sort((a, b) => (b.timestamp ?? 0) - (a.timestamp ?? 0) || b.clock - a.clock);
  return { total, tasks: offset === 0 ? best : best.slice(offset) };
}
