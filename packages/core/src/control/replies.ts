/**
 * What workers reply to remote-control and inspect requests, typed. These are wire documents, read by Flower,
 * `celery inspect` and q alike, so their fields keep Celery's names (snake_case, and `max-concurrency` with its
 * dash) instead of being camelCased: a reply is passed on as it was received. Fields a Python worker always sends
 * are required; what only some workers or pools send is optional, and a worker may add fields of its own.
 * Captured examples: `shared/spec/vectors/control-*-reply.json`.
 */

/** The reply of a control command: `{ok: …}` on success, `{error: "<message>"}` otherwise. */
export type ControlCommandReply<T = string> = { ok: T; error?: never } | { error: string; ok?: never };

/** The reply of `ping`: `{ok: "pong"}`. */
export type PingReply = ControlCommandReply<'pong'>;

/** Where a request came from (`delivery_info` of {@link RequestInfo}). */
export interface RequestDeliveryInfo {
  exchange: string;
  routing_key: string;
  priority: number | null;
  redelivered: boolean | null;
}

/** A task request a worker holds, as `active`, `reserved`, `scheduled` and `query_task` describe it (Celery's `Request.info()`). */
export interface RequestInfo {
  id: string;
  name: string;
  args: unknown;
  kwargs: unknown;
  /** The task name again (Celery's `type`). */
  type: string;
  /** The node holding it. */
  hostname: string;
  /** When it started, epoch seconds; `null` while reserved. */
  time_start: number | null;
  acknowledged: boolean;
  delivery_info: RequestDeliveryInfo;
  /** The pid of the process (or child) running it; `null` while reserved. */
  worker_pid: number | null;
  [field: string]: unknown;
}

/** A task waiting for its ETA or countdown (`scheduled`). */
export interface ScheduledInfo {
  /** ISO-8601 with an offset (`2026-11-22T02:45:28.353019+00:00`), or `null`. */
  eta: string | null;
  /** The worker timer's priority, not the message's. */
  priority: number;
  request: RequestInfo;
}

/** Where a task is in a worker (`query_task`): `active`, `reserved` or `ready` (scheduled tasks count as reserved). */
export type TaskQueryState = 'active' | 'reserved' | 'ready';

/** The reply of `query_task`: task id → `[state, request]`; ids the worker does not hold are left out. */
export type QueryTaskReply = Record<string, [TaskQueryState, RequestInfo]>;

/** The exchange of a queue in `active_queues` (kombu's `Exchange.as_dict()`). */
export interface QueueExchangeInfo {
  name: string;
  type: string;
  arguments: Record<string, unknown> | null;
  durable: boolean;
  passive: boolean;
  auto_delete: boolean;
  delivery_mode: number | null;
  no_declare: boolean | null;
  [field: string]: unknown;
}

/** A queue a worker consumes from (`active_queues`; kombu's `Queue.as_dict(recurse=True)`). */
export interface QueueInfo {
  name: string;
  exchange: QueueExchangeInfo;
  routing_key: string;
  queue_arguments: Record<string, unknown> | null;
  binding_arguments: Record<string, unknown> | null;
  consumer_arguments: Record<string, unknown> | null;
  durable: boolean;
  exclusive: boolean;
  auto_delete: boolean;
  no_ack: boolean;
  alias: string | null;
  bindings: unknown[];
  no_declare: boolean | null;
  expires: number | null;
  message_ttl: number | null;
  max_length: number | null;
  max_length_bytes: number | null;
  max_priority: number | null;
  [field: string]: unknown;
}

/** The pool part of {@link StatsReply}. */
export interface PoolStats {
  'max-concurrency': number;
  /** The pids of the pool's processes (the worker's own pid for pools without children). */
  processes: number[];
  'max-tasks-per-child'?: number | string;
  'put-guarded-by-semaphore'?: boolean;
  /** `[soft, hard]` default time limits, seconds (0: none). */
  timeouts?: [number, number];
  writes?: Record<string, unknown>;
  [field: string]: unknown;
}

/** The broker part of {@link StatsReply} (kombu's `Connection.info()`). */
export interface BrokerStats {
  hostname: string | null;
  userid: string | null;
  virtual_host: string | null;
  port: number | null;
  insist: boolean;
  ssl: boolean | Record<string, unknown>;
  transport: string;
  connect_timeout: number | null;
  transport_options: Record<string, unknown>;
  login_method: string | null;
  uri_prefix: string | null;
  heartbeat: number | null;
  failover_strategy: string;
  alternates: string[];
  [field: string]: unknown;
}

/** The reply of `stats` (Celery's `WorkController.stats()`). */
export interface StatsReply {
  /** Tasks run since the worker started, by name. */
  total: Record<string, number>;
  pid: number;
  /** The worker's logical clock, as a string (Celery's). */
  clock: string;
  /** Seconds since the worker started. */
  uptime: number;
  pool: PoolStats;
  broker: BrokerStats;
  prefetch_count: number;
  /** `getrusage(RUSAGE_SELF)`: `utime`, `stime` (seconds), `maxrss` (KiB), … */
  rusage: Record<string, number>;
  /** With `--autoscale`: the autoscaler's `{max, min, current, qty, processes}`. */
  autoscaler?: Record<string, unknown>;
  [field: string]: unknown;
}

/** The reply of `clock`. */
export interface ClockReply {
  /** The node's logical clock. */
  clock: number;
}

/** The reply of `hello` (mingle): the node's revoked ids (id → `[timestamp, id]`) and its clock; `null` from the asking node itself. */
export interface HelloReply {
  /** Revoked task id → `[timestamp, id]` (Celery's `LimitedSet` data). */
  revoked: Record<string, unknown>;
  /** The node's logical clock, moved forward. */
  clock: number;
}

/** The reply of `objgraph`: where the graph was written. */
export interface ObjgraphReply {
  /** The PNG file written on the worker's host. */
  filename: string;
}
