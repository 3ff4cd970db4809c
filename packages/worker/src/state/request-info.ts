/**
 * The worker's task requests as remote control lists them (Celery's `Request.info()`, for `inspect active`,
 * `reserved`, `scheduled` and `query_task`). Built only when asked: the per-task path keeps a start time and a pid
 * on the run, nothing more.
 */
import type { TaskRequest } from '../execution/task-request.js';

/** Where a request came from. */
export interface RequestDeliveryInfo {
  exchange: string;
  routingKey: string;
  priority: number;
  redelivered: boolean;
}

/** A task request the worker holds (Celery's `Request.info()`, camelCased). */
export interface TaskRequestInfo {
  id: string;
  name: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  /** The task name (Celery repeats it as `type`). */
  type: string;
  /** The worker's node name. */
  hostname: string;
  /** When the pool started it, epoch seconds; `null` while it waits. */
  timeStart: number | null;
  /** Whether its message was acked (early ack: once started). */
  acknowledged: boolean;
  deliveryInfo: RequestDeliveryInfo;
  /** The process running it (a prefork child's pid; the worker's own for in-process and thread pools); `null` while it waits. */
  workerPid: number | null;
}

/** A request held until its ETA. */
export interface ScheduledRequestInfo {
  /** The ETA, ISO 8601 in UTC with Celery's `+00:00` offset (`2026-11-22T02:45:28.353000+00:00`). */
  eta: string;
  /** The timer priority (Celery's ETA entries have 6), not the message's. */
  priority: number;
  request: TaskRequestInfo;
}

/** The requests of a worker, by where they are (Celery's `active`, `reserved`, `scheduled`). */
export interface WorkerRequests {
  /** Handed to the pool and started, oldest first. */
  active: TaskRequestInfo[];
  /** Received and waiting: for a pool slot, or for their task's rate limit. */
  reserved: TaskRequestInfo[];
  /** Held until their ETA (or countdown). */
  scheduled: ScheduledRequestInfo[];
}

/**
 * States `query_task` reports, as Celery 5.2: a request running is `active`, one waiting for a slot `reserved`.
 * Requests held for their ETA are not listed (Celery's `state.requests` does not hold them either).
 */
export type QueryTaskState = 'active' | 'reserved';

/** How a run of a request went so far (`null`: not started). */
export interface RequestRunInfo {
  /** Epoch ms. */
  readonly timeStart: number | null;
  readonly acknowledged: boolean;
  readonly workerPid: number | null;
}

/** A job in the pool that can describe its request (the worker's trace). */
export interface DescribedJob {
  /** Whether the pool started it. */
  readonly started: boolean;
  describe(hostname: string): TaskRequestInfo;
}

/** Whether `job` (a pool job) describes its request. */
export function isDescribedJob(job: unknown): job is DescribedJob {
  return typeof (job as Partial<DescribedJob> | null)?.describe === 'function';
}

/** The info of `request` on node `hostname`. */
export function describeRequest(request: TaskRequest, hostname: string, run: RequestRunInfo | null): TaskRequestInfo {
  const { message, delivery } = request;
  const info = delivery.info;
  return {
    id: message.id,
    name: message.name,
    args: message.args,
    kwargs: message.kwargs,
    type: message.name,
    hostname,
    timeStart: run?.timeStart == null ? null : run.timeStart / 1000,
    acknowledged: run?.acknowledged ?? false,
    deliveryInfo: {
      exchange: info.exchange,
      routingKey: info.routingKey,
      priority: info.priority ?? message.priority,
      redelivered: info.redelivered,
    },
    workerPid: run?.timeStart == null ? null : run.workerPid,
  };
}

/** Celery's `datetime.isoformat()` of a UTC time: microseconds (omitted when zero) and `+00:00`. */
export function celeryIsoTime(epochMs: number): string {
  const iso = new Date(epochMs).toISOString(); // 2026-11-22T02:45:28.353Z
  const ms = iso.slice(20, 23);
  return ms === '000' ? `${iso.slice(0, 19)}+00:00` : `${iso.slice(0, 19)}.${ms}000+00:00`;
}

/** Celery's timer priority of an ETA entry. */
export const ETA_TIMER_PRIORITY = 6;
