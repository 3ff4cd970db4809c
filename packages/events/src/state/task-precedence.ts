/**
 * Task states as a monitor sees them, and the precedence Celery uses to merge events that arrive out of order
 * (`celery.states.PRECEDENCE`, `celery.events.state.Task.merge_rules`).
 */

/** The states a task event moves a task to (`task-sent` → `PENDING`, `task-received` → `RECEIVED`, …). */
export const TASK_EVENT_STATES = {
  sent: 'PENDING',
  received: 'RECEIVED',
  started: 'STARTED',
  succeeded: 'SUCCESS',
  failed: 'FAILURE',
  retried: 'RETRY',
  revoked: 'REVOKED',
  rejected: 'REJECTED',
} as const;

/** The part of a task event type after `task-` that Celery knows (`succeeded`, …). */
export type TaskEventSubject = keyof typeof TASK_EVENT_STATES;

/** A built-in task state. */
export type KnownTaskState = (typeof TASK_EVENT_STATES)[TaskEventSubject];

/**
 * A task's state: a built-in one, or a custom one named by an event type Celery does not know (`task-progress` →
 * `PROGRESS`, as `Task.send_event` allows).
 */
export type TaskState = KnownTaskState | (string & {});

/** States in which the task has finished (Celery's `READY_STATES`). */
export const READY_STATES: ReadonlySet<string> = new Set(['SUCCESS', 'FAILURE', 'REVOKED']);

/**
 * Celery's `PRECEDENCE` list, highest precedence first; `null` stands for every custom state.
 */
const PRECEDENCE: readonly (KnownTaskState | null)[] = [
  'SUCCESS',
  'FAILURE',
  null,
  'REVOKED',
  'STARTED',
  'RECEIVED',
  'REJECTED',
  'RETRY',
  'PENDING',
];
const CUSTOM_PRECEDENCE = PRECEDENCE.indexOf(null);
const PRECEDENCE_INDEX = new Map<string, number>(
  PRECEDENCE.flatMap((state, index) => (state === null ? [] : [[state, index] as const])),
);

/** The state a task event subject maps to: the built-in one, else the subject upper-cased (a custom state). */
export function stateOfSubject(subject: string): TaskState {
  return Object.hasOwn(TASK_EVENT_STATES, subject)
    ? TASK_EVENT_STATES[subject as TaskEventSubject]
    : subject.toUpperCase();
}

/** Precedence index of a state: lower wins (`SUCCESS` is 0, `PENDING` 8, custom states 2). */
export function statePrecedence(state: string): number {
  return PRECEDENCE_INDEX.get(state) ?? CUSTOM_PRECEDENCE;
}

/**
 * Whether an event in `incoming` state sets the task's state, given its `current` one. It does unless it
 * logically happened before the current state (a `task-received` arriving after `task-succeeded`); `RETRY` on
 * either side always takes the new state, because a retried task runs again (Celery's `Task.event`).
 */
export function takesState(incoming: string, current: string): boolean {
  if (incoming === 'RETRY' || current === 'RETRY') return true;
  return statePrecedence(incoming) <= statePrecedence(current);
}

/**
 * Fields a late (lower-precedence) event of a state may still set (Celery's `merge_rules`): a late
 * `task-received` brings the task's name, arguments and lineage, but nothing else. Late events of other states
 * set all their fields, only not the state.
 */
export const MERGE_RULES: Readonly<Record<string, ReadonlySet<string>>> = {
  RECEIVED: new Set(['name', 'args', 'kwargs', 'parent_id', 'root_id', 'retries', 'eta', 'expires']),
};
