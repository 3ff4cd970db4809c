/** The shapes of tasks the API answers: a short row for lists, the whole task with its relatives for detail. */
import type { ClusterState, TaskInfo, TaskSnapshot } from '@q/events';

/** Longest `args`, `kwargs` and `result` texts in a list row; the detail has them whole. */
export const SUMMARY_TEXT_MAX = 200;

/** A task in a list. */
export interface TaskSummary {
  uuid: string;
  name: string | null;
  state: string;
  worker: string | null;
  args: string | null;
  kwargs: string | null;
  result: string | null;
  exception: string | null;
  runtime: number | null;
  received: number | null;
  started: number | null;
  /** When it reached its current state (epoch seconds). */
  timestamp: number | null;
}

/** A related task: its id, and its name and state when the dashboard knows it. */
export interface TaskRelative {
  uuid: string;
  name: string | null;
  state: string | null;
}

/** A task with everything known, and its parent, root and children. */
export interface TaskDetail extends TaskSnapshot {
  parent: TaskRelative | null;
  root: TaskRelative | null;
  childTasks: TaskRelative[];
}

function clip(text: string | undefined): string | null {
  if (text === undefined) return null;
  return text.length > SUMMARY_TEXT_MAX ? `${text.slice(0, SUMMARY_TEXT_MAX - 1)}…` : text;
}

/** A list row of `task`. */
export function taskSummary(task: Readonly<TaskInfo>): TaskSummary {
  return {
    uuid: task.uuid,
    name: task.name ?? null,
    state: task.state,
    worker: task.worker ?? null,
    args: clip(task.args),
    kwargs: clip(task.kwargs),
    result: clip(task.result),
    exception: clip(task.exception),
    runtime: task.runtime ?? null,
    received: task.received ?? null,
    started: task.started ?? null,
    timestamp: task.timestamp ?? null,
  };
}

function relative(state: ClusterState, uuid: string | undefined): TaskRelative | null {
  if (uuid === undefined) return null;
  const task = state.tasks.get(uuid);
  return { uuid, name: task?.name ?? null, state: task?.state ?? null };
}

/** The detail of the task `uuid`, or `null` when the state does not hold it. */
export function taskDetail(state: ClusterState, uuid: string): TaskDetail | null {
  const task = state.tasks.get(uuid);
  if (task === undefined) return null;
  const snapshot = task.toSnapshot();
  return {
    ...snapshot,
    parent: relative(state, task.parentId),
    root: task.rootId === uuid ? null : relative(state, task.rootId),
    childTasks: snapshot.children.map((child) => relative(state, child) as TaskRelative),
  };
}
