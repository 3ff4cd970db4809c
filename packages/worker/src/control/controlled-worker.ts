/**
 * What the remote-control commands need from the worker: a narrow view of `Worker` (which implements it), so the
 * commands never import `worker.ts`. The methods marked optional belong to the worker runtime; a command whose
 * method a worker lacks replies with an error instead of failing the pidbox.
 */
import type { ExchangeType, LamportClock, QueueDeclaration, ExchangeDeclaration, BindingDeclaration } from '@q/core';
import type { WorkerHost } from '../blueprint/worker-host.js';
import type { NodeState } from '../state/node-state.js';
import type { RevokeOptions, RevokeResult } from '../state/revoke-tasks.js';

/** Where a request came from, as the worker describes it. */
export interface TaskDeliveryInfo {
  exchange: string;
  routingKey: string;
  priority: number | null;
  redelivered: boolean | null;
}

/** A task request the worker holds (camelCased; `request-info.ts` writes Celery's wire shape). */
export interface TaskRequestInfo {
  id: string;
  name: string;
  args: unknown;
  kwargs: unknown;
  type: string;
  hostname: string;
  /** When it started, epoch seconds; `null` while reserved. */
  timeStart: number | null;
  acknowledged: boolean;
  deliveryInfo: TaskDeliveryInfo;
  /** The process (or child) running it; `null` while reserved. */
  workerPid: number | null;
}

/** A task held until its ETA. */
export interface ScheduledRequestInfo {
  /** ISO-8601 with an offset. */
  eta: string;
  /** The timer's priority (Celery's), not the message's. */
  priority: number;
  request: TaskRequestInfo;
}

/** The tasks a worker holds, by where they are. */
export interface WorkerRequests {
  active: readonly TaskRequestInfo[];
  reserved: readonly TaskRequestInfo[];
  scheduled: readonly ScheduledRequestInfo[];
}

/** A queue the worker consumes, with its exchange and binding (core's `QueueTopology`). */
export interface ConsumedQueue {
  queue: QueueDeclaration;
  exchange: ExchangeDeclaration;
  binding: BindingDeclaration;
}

/** Options of `addConsumer` (the `add_consumer` command's arguments, camelCased). */
export interface AddConsumerSpec {
  exchange?: string;
  exchangeType?: ExchangeType;
  routingKey?: string;
  /** More declaration fields as sent (kombu's `Queue.from_dict` keys). */
  options?: Record<string, unknown>;
}

/** The worker as remote control sees it. */
export interface ControlledWorker extends WorkerHost {
  /** Revoked ids and the logical clock. */
  readonly nodeState: NodeState;
  readonly clock: LamportClock;
  /** `running` while the worker runs. */
  readonly state: string;
  revoke(ids: string | readonly string[], options?: RevokeOptions): RevokeResult;
  setTimeLimits(name: string, limits: { hard?: number | null; soft?: number | null }): void;
  growPool(n?: number): void;
  shrinkPool(n?: number): void;
  stop(options?: { graceful?: boolean }): Promise<void>;
  /** The tasks running, waiting for a slot, and held until their ETA. */
  requests?(): WorkerRequests;
  /** @throws NotRegisteredError for an unknown task; ConfigError for a bad rate string. */
  setRateLimit?(taskName: string, rate: string | number | null): void;
  addConsumer?(queue: string, spec: AddConsumerSpec): Promise<void>;
  cancelConsumer?(queue: string): Promise<void>;
  activeQueues?(): readonly ConsumedQueue[];
  restartPool?(): Promise<void>;
  /** New autoscale bounds; returns the bounds applied, `[max, min]`. */
  setAutoscale?(max: number, min: number): readonly [number, number];
  /** Turn task events on or off; returns whether it changed. */
  setTaskEvents?(on: boolean): boolean;
}
