import { MERGE_RULES, READY_STATES, TASK_EVENT_STATES, stateOfSubject, takesState } from './task-precedence.js';
import type { TaskEventSubject, TaskState } from './task-precedence.js';

/** One event in a task's history. */
export interface TimelineEntry {
  /** The event type (`task-started`). */
  readonly type: string;
  /** Sender timestamp, epoch seconds (localized). */
  readonly timestamp: number;
  /** The sender: a worker's node name, or the client's for `task-sent`. */
  readonly hostname: string;
}

/** A task as a plain JSON-safe object (fields that are unknown are left out). */
export interface TaskSnapshot {
  uuid: string;
  state: string;
  name?: string;
  args?: string;
  kwargs?: string;
  result?: string;
  exception?: string;
  traceback?: string;
  runtime?: number;
  retries?: number;
  eta?: string;
  expires?: string;
  rootId?: string;
  parentId?: string;
  children: string[];
  worker?: string;
  client?: string;
  queue?: string;
  exchange?: string;
  routingKey?: string;
  terminated?: boolean;
  expired?: boolean;
  signum?: number;
  requeue?: boolean;
  sent?: number;
  received?: number;
  started?: number;
  succeeded?: number;
  failed?: number;
  retried?: number;
  revoked?: number;
  rejected?: number;
  timestamp?: number;
  clock: number;
  timeline: TimelineEntry[];
}

/** The most events a task's timeline keeps (the oldest go first). */
export const TIMELINE_MAX = 16;

type FieldKind = 'string' | 'number' | 'boolean';

/** Wire field → property and the type it must have; a value of another type is dropped (`null` unsets). */
const TASK_FIELDS: readonly (readonly [wire: string, prop: string, kind: FieldKind])[] = [
  ['name', 'name', 'string'],
  ['args', 'args', 'string'],
  ['kwargs', 'kwargs', 'string'],
  ['result', 'result', 'string'],
  ['exception', 'exception', 'string'],
  ['traceback', 'traceback', 'string'],
  ['root_id', 'rootId', 'string'],
  ['parent_id', 'parentId', 'string'],
  ['eta', 'eta', 'string'],
  ['expires', 'expires', 'string'],
  ['queue', 'queue', 'string'],
  ['exchange', 'exchange', 'string'],
  ['routing_key', 'routingKey', 'string'],
  ['runtime', 'runtime', 'number'],
  ['retries', 'retries', 'number'],
  ['signum', 'signum', 'number'],
  ['terminated', 'terminated', 'boolean'],
  ['expired', 'expired', 'boolean'],
  ['requeue', 'requeue', 'boolean'],
];

function fits(value: unknown, kind: FieldKind): boolean {
  return kind === 'number' ? typeof value === 'number' && Number.isFinite(value) : typeof value === kind;
}

/** What {@link TaskInfo.applyEvent} needs from a validated task event. */
export interface TaskEventInput {
  /** The type after `task-` (`succeeded`, or a custom one). */
  subject: string;
  /** The whole event (its type-specific fields are read from it). */
  fields: Readonly<Record<string, unknown>>;
  hostname: string;
  /** Epoch seconds. */
  timestamp: number;
  clock: number;
}

/**
 * One task's state built from its events (Celery's `celery.events.state.Task`). Names follow TypeScript
 * (`rootId`); argument, keyword and result values stay the repr strings the worker sent.
 */
export class TaskInfo {
  /** The task id. */
  readonly uuid: string;
  /** Current state: the precedence winner of the events seen so far. */
  state: TaskState = 'PENDING';
  name: string | undefined = undefined;
  /** Positional arguments, as the repr string the sender sent (`"(2, 3)"`). */
  args: string | undefined = undefined;
  /** Keyword arguments, as the repr string the sender sent (`"{}"`). */
  kwargs: string | undefined = undefined;
  /** Return value, as the repr string the worker sent (`"5"`). */
  result: string | undefined = undefined;
  /** Exception repr (`"ValueError('bad thing')"`) of a failure or retry. */
  exception: string | undefined = undefined;
  traceback: string | undefined = undefined;
  /** Seconds the task ran. */
  runtime: number | undefined = undefined;
  retries: number | undefined = undefined;
  /** ISO 8601 or undefined. */
  eta: string | undefined = undefined;
  /** ISO 8601 or undefined. */
  expires: string | undefined = undefined;
  rootId: string | undefined = undefined;
  parentId: string | undefined = undefined;
  /** Node name of the worker that sent the latest worker-side event. */
  worker: string | undefined = undefined;
  /** Node name of the client that sent `task-sent`. */
  client: string | undefined = undefined;
  queue: string | undefined = undefined;
  exchange: string | undefined = undefined;
  routingKey: string | undefined = undefined;
  /** `task-revoked`: the task was terminated while running. */
  terminated: boolean | undefined = undefined;
  /** `task-revoked`: the task expired. */
  expired: boolean | undefined = undefined;
  /** `task-revoked`: the signal sent when terminating. */
  signum: number | undefined = undefined;
  /** `task-rejected`: the message was requeued. */
  requeue: boolean | undefined = undefined;
  /** Epoch seconds of the latest `task-sent`. */
  sent: number | undefined = undefined;
  /** Epoch seconds of the latest `task-received`. */
  received: number | undefined = undefined;
  /** Epoch seconds of the latest `task-started`. */
  started: number | undefined = undefined;
  /** Epoch seconds of the latest `task-succeeded`. */
  succeeded: number | undefined = undefined;
  /** Epoch seconds of the latest `task-failed`. */
  failed: number | undefined = undefined;
  /** Epoch seconds of the latest `task-retried`. */
  retried: number | undefined = undefined;
  /** Epoch seconds of the latest `task-revoked`. */
  revoked: number | undefined = undefined;
  /** Epoch seconds of the latest `task-rejected`. */
  rejected: number | undefined = undefined;
  /** Epoch seconds of the event that set the current state. */
  timestamp: number | undefined = undefined;
  /** Highest Lamport clock seen in this task's events. */
  clock = 0;
  /** Events seen, oldest first by timestamp (at most {@link TIMELINE_MAX}). */
  readonly timeline: TimelineEntry[] = [];
  #children: Set<string> | undefined = undefined;

  /** A task known only by its id, in state `PENDING`. */
  constructor(uuid: string) {
    this.uuid = uuid;
  }

  /** Ids of the tasks seen naming this one as their parent. */
  get children(): readonly string[] {
    return this.#children === undefined ? [] : [...this.#children];
  }

  /** Whether the task has finished (`SUCCESS`, `FAILURE` or `REVOKED`). */
  get ready(): boolean {
    return READY_STATES.has(this.state);
  }

  /** @internal Records a child id, keeping at most `max` (the oldest go first). */
  addChild(uuid: string, max: number): void {
    const children = (this.#children ??= new Set());
    if (children.has(uuid)) return;
    children.add(uuid);
    if (children.size > max) {
      const oldest = children.values().next().value;
      if (oldest !== undefined) children.delete(oldest);
    }
  }

  /**
   * @internal Merges one event (Celery's `Task.event`): it sets the state unless it logically happened before
   * the current one; a late event still sets its fields, except a late `task-received`, which sets only those of
   * {@link MERGE_RULES}. Returns how many fields had the wrong type and were dropped.
   */
  applyEvent(input: TaskEventInput): number {
    const { subject, fields, hostname, timestamp, clock } = input;
    const state = stateOfSubject(subject);
    const self = this as unknown as Record<string, unknown>;
    if (Object.hasOwn(TASK_EVENT_STATES, subject)) self[subject as TaskEventSubject] = timestamp;
    const takes = takesState(state, this.state);
    const keep = takes ? undefined : MERGE_RULES[state];
    let invalid = 0;
    for (const [wire, prop, kind] of TASK_FIELDS) {
      if (!Object.hasOwn(fields, wire) || (keep !== undefined && !keep.has(wire))) continue;
      const value = fields[wire];
      if (value === null) self[prop] = undefined;
      else if (fits(value, kind)) self[prop] = value;
      else invalid += 1;
    }
    if (takes) {
      this.state = state;
      this.timestamp = timestamp;
    }
    if (clock > this.clock) this.clock = clock;
    if (subject === 'sent') this.client = hostname;
    else this.worker = hostname;
    this.#addToTimeline({ type: `task-${subject}`, timestamp, hostname });
    return invalid;
  }

  #addToTimeline(entry: TimelineEntry): void {
    const timeline = this.timeline;
    let at = timeline.length;
    while (at > 0 && (timeline[at - 1]?.timestamp ?? 0) > entry.timestamp) at -= 1;
    timeline.splice(at, 0, entry);
    if (timeline.length > TIMELINE_MAX) timeline.shift();
  }

  /** The task as a plain JSON-safe object. */
  toSnapshot(): TaskSnapshot {
    const out: Record<string, unknown> = { uuid: this.uuid, state: this.state };
    for (const [, prop] of TASK_FIELDS) {
      const value = (this as unknown as Record<string, unknown>)[prop];
      if (value !== undefined) out[prop] = value;
    }
    for (const key of ['worker', 'client', ...Object.keys(TASK_EVENT_STATES), 'timestamp'] as const) {
      const value = (this as unknown as Record<string, unknown>)[key];
      if (value !== undefined) out[key] = value;
    }
    out['children'] = this.children;
    out['clock'] = this.clock;
    out['timeline'] = this.timeline.map((entry) => ({ ...entry }));
    return out as unknown as TaskSnapshot;
  }
}
