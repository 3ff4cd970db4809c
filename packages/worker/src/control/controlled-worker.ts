/**
 * What the remote-control commands need from the worker: a narrow view of `Worker` (which implements it), so the
 * commands never import `worker.ts`.
 */
import type { LamportClock } from '@q/core';
import type { WorkerHost } from '../blueprint/worker-host.js';
import type { AddConsumerOptions, ConsumedQueue } from '../consumer/added-queue.js';
import type { NodeState } from '../state/node-state.js';
import type { QueryTaskState, TaskRequestInfo, WorkerRequests } from '../state/request-info.js';
import type { RevokeOptions, RevokeResult } from '../state/revoke-tasks.js';

/** The worker as remote control sees it. */
export interface ControlledWorker extends WorkerHost {
  /** Revoked ids and the logical clock. */
  readonly nodeState: NodeState;
  /** The node's logical clock (replies and `clock`). */
  readonly clock: LamportClock;
  /** `running` while the worker runs. */
  readonly state: string;
  /** The autoscale bounds now, `[max, min]` (`null`: the pool does not autoscale). */
  readonly autoscale: readonly [number, number] | null;
  /** `revoke`: flag `ids` revoked, stopping the running ones with `terminate`. */
  revoke(ids: string | readonly string[], options?: RevokeOptions): RevokeResult;
  /** `time_limit`: limits of the task's runs started from now on. */
  setTimeLimits(name: string, limits: { hard?: number | null; soft?: number | null }): void;
  /** `pool_grow`. @throws QError `Q_ERR_CAPABILITY_UNSUPPORTED` for a pool that cannot grow. */
  growPool(n?: number): void;
  /** `pool_shrink`. @throws QError `Q_ERR_CAPABILITY_UNSUPPORTED` for a pool that cannot shrink. */
  shrinkPool(n?: number): void;
  /** `shutdown`: stop (warm by default). */
  stop(options?: { graceful?: boolean }): Promise<void>;
  /** The tasks running, waiting for a slot or their rate limit, and held until their ETA. */
  requests(): WorkerRequests;
  /** `query_task`: the requests of `ids` the worker holds, with where they are. */
  queryTask(ids: string | readonly string[]): Record<string, [QueryTaskState, TaskRequestInfo]>;
  /** @throws NotRegisteredError for an unknown task; ConfigError for a bad rate string. */
  setRateLimit(taskName: string, rate: string | number | null): void;
  /** The rate limit of a task as written: set at run time, else the task's own. */
  rateLimitOf(taskName: string): string | number | null | undefined;
  /** `add_consumer`: declare and consume `queue`. */
  addConsumer(queue: string, options?: AddConsumerOptions): Promise<void>;
  /** `cancel_consumer`: stop consuming `queue`. */
  cancelConsumer(queue: string): Promise<void>;
  /** `active_queues`: the queues consumed now. */
  activeQueues(): readonly ConsumedQueue[];
  /** `pool_restart`: replace the pool's children. */
  restartPool(): Promise<void>;
  /** New autoscale bounds; returns the bounds applied, `[max, min]`. */
  setAutoscale(max: number, min: number): readonly [number, number];
  /** Turn task events on or off; returns whether it changed. */
  setTaskEvents(on: boolean): boolean;
}
