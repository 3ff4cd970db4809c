/**
 * Collecting a worker's requests for remote control (`inspect active`/`reserved`/`scheduled`, `query_task`): the
 * jobs in the pool (started: active; waiting for a slot: reserved), the requests waiting for a rate limit
 * (reserved) and those held for their ETA (scheduled). Built only when asked.
 */
import type { HeldRequest } from '../consumer/task-consumer.js';
import type { TaskRequest } from '../execution/task-request.js';
import { celeryIsoTime, describeRequest, ETA_TIMER_PRIORITY, isDescribedJob } from './request-info.js';
import type { QueryTaskState, TaskRequestInfo, WorkerRequests } from './request-info.js';
import type { RunningTasks } from './running-tasks.js';

/** Where the requests are. */
export interface RequestSources {
  readonly hostname: string;
  /** Jobs handed to the pool. */
  readonly running: RunningTasks;
  /** Requests waiting for their task's rate limit. */
  readonly rateLimited: readonly TaskRequest[];
  /** Requests held for their ETA. */
  readonly held: readonly HeldRequest[];
}

/** The requests of a worker, by where they are. */
export function collectRequests(sources: RequestSources): WorkerRequests {
  const { hostname } = sources;
  const active: TaskRequestInfo[] = [];
  const reserved: TaskRequestInfo[] = [];
  for (const job of sources.running.jobs) {
    if (!isDescribedJob(job)) continue;
    (job.started ? active : reserved).push(job.describe(hostname));
  }
  for (const request of sources.rateLimited) reserved.push(describeRequest(request, hostname, null));
  const scheduled = sources.held.map(({ request, eta }) => ({ eta: celeryIsoTime(eta), priority: ETA_TIMER_PRIORITY, request: describeRequest(request, hostname, null) }));
  return { active, reserved, scheduled };
}

/**
 * Celery's `query_task`: each id of `ids` the worker runs (`active`) or holds for a pool slot (`reserved`), with its
 * info; ids it does not hold so (unknown, finished, held for an ETA) are left out.
 */
export function queryRequests(requests: WorkerRequests, ids: string | readonly string[]): Record<string, [QueryTaskState, TaskRequestInfo]> {
  const wanted = new Set(typeof ids === 'string' ? [ids] : ids);
  const out: Record<string, [QueryTaskState, TaskRequestInfo]> = {};
  for (const info of requests.active) if (wanted.has(info.id)) out[info.id] = ['active', info];
  for (const info of requests.reserved) if (wanted.has(info.id) && !(info.id in out)) out[info.id] = ['reserved', info];
  return out;
}
