/**
 * The worker's task requests in Celery's wire shape (`Request.info()`: `time_start`, `delivery_info.routing_key`,
 * `worker_pid`), as `active`, `reserved`, `scheduled` and `query_task` reply them.
 */
import type { RequestInfo, ScheduledInfo } from '@q/core';
import type { ScheduledRequestInfo, TaskRequestInfo } from '../state/request-info.js';

/**
 * A request as Celery's `Request.info()` describes it. `redelivered` is `true` for a redelivered message and `null`
 * otherwise, as a Python worker on Redis reports it (kombu sets the flag only on redelivery).
 */
export function requestInfo(request: TaskRequestInfo): RequestInfo {
  const d = request.deliveryInfo;
  return {
    id: request.id,
    name: request.name,
    args: request.args,
    kwargs: request.kwargs,
    type: request.type,
    hostname: request.hostname,
    time_start: request.timeStart,
    acknowledged: request.acknowledged,
    delivery_info: { exchange: d.exchange, routing_key: d.routingKey, priority: d.priority, redelivered: d.redelivered === true ? true : null },
    worker_pid: request.workerPid,
  };
}

/** A held ETA task as the `scheduled` command replies it: `{eta, priority, request}`. */
export function scheduledInfo(entry: ScheduledRequestInfo): ScheduledInfo {
  return { eta: entry.eta, priority: entry.priority, request: requestInfo(entry.request) };
}
