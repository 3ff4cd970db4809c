/**
 * Celery's events as they travel (spec §7): a flat JSON object with a `type` (`task-succeeded`, `worker-heartbeat`,
 * …), the sender's `hostname`, `timestamp` (float epoch seconds), `utcoffset` (hours west of UTC), `pid` and Lamport
 * `clock`, plus the fields of its type. The wire keeps Celery's names (`root_id`, `sw_ident`); these types name them
 * as they are on the wire because receivers hand the objects on unchanged (Flower, `celery events --dump`).
 */

/** Task event types Celery sends. */
export const TASK_EVENT_TYPES = [
  'task-sent',
  'task-received',
  'task-started',
  'task-succeeded',
  'task-failed',
  'task-rejected',
  'task-revoked',
  'task-retried',
] as const;
/** A task event type. */
export type TaskEventType = (typeof TASK_EVENT_TYPES)[number];

/** Worker event types Celery sends. */
export const WORKER_EVENT_TYPES = ['worker-online', 'worker-heartbeat', 'worker-offline'] as const;
/** A worker event type. */
export type WorkerEventType = (typeof WORKER_EVENT_TYPES)[number];

/** Fields every event carries. */
export interface EventCommonFields {
  /** `task-succeeded`, `worker-heartbeat`, … (any string: receivers keep unknown types). */
  type: string;
  /** Sender node name (`w1@host`; clients send `gen<pid>@<host>`). */
  hostname: string;
  /** Float epoch seconds when sent. */
  timestamp: number;
  /** Integer hours west of UTC (Python's `time.timezone // 3600`): UTC+2 → `-2`. */
  utcoffset: number;
  /** Sender process id. */
  pid: number;
  /** Sender's Lamport clock. */
  clock: number;
}

/** An event as received: the common fields, the fields of its type, and `local_received` once localized. */
export interface QEvent extends EventCommonFields {
  /** Task events: the task id. */
  uuid?: string;
  /** Epoch seconds when this process received it (added by the receiver). */
  local_received?: number;
  [field: string]: unknown;
}

/** Fields of `worker-online`, `worker-heartbeat` and `worker-offline`. */
export interface WorkerEventFields {
  /** Heartbeat interval, seconds (Celery's 2.0). */
  freq: number;
  /** Tasks executing now. */
  active: number;
  /** Tasks finished since start. */
  processed: number;
  /** 1, 5 and 15 minute load averages, 2 decimals. */
  loadavg: [number, number, number];
  sw_ident: string;
  sw_ver: string;
  sw_sys: string;
}

/** The event group of a type: `task` for `task-*`, `worker` for `worker-*` (Celery's `group_from`). */
export function eventGroup(type: string): string {
  const dash = type.indexOf('-');
  return dash === -1 ? type : type.slice(0, dash);
}

/** The routing key of an event type: `task-succeeded` → `task.succeeded`. */
export function eventRoutingKey(type: string): string {
  return type.replace(/-/g, '.');
}
