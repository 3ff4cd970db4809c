/**
 * Re-publishing a task that asked to be retried (Celery's `Task.retry` → `signature_from_request().apply_async`).
 */
import { argsRepr, kwargsRepr, toIsoWithOffset } from '@q/core';
import type { Retry, RouteInput, TaskMessage } from '@q/core';
import type { WorkerRuntime } from '../runtime.js';
import type { TaskRequest } from './task-request.js';

/**
 * Publish the retry of `request`: the same id, `retries + 1`, a new `eta`, `parent_id` = its own id, the
 * same root, args/kwargs/embed/headers unless the retry replaces them, to the queue it came from unless
 * `retry.options` routes it elsewhere. Returns the delay in ms.
 */
export async function publishRetry(rt: WorkerRuntime, request: TaskRequest, retry: Retry, now: number = Date.now()): Promise<number> {
  const { message: msg, delivery, task } = request;
  const eta = retry.eta?.getTime() ?? now + (retry.countdownSeconds ?? task.options.defaultRetryDelay) * 1000;
  const args = retry.args ? [...retry.args] : msg.args;
  const kwargs = retry.kwargs ? { ...retry.kwargs } : msg.kwargs;
  const next: TaskMessage = {
    ...msg,
    args,
    kwargs,
    argsrepr: retry.args ? argsRepr(args) : msg.argsrepr,
    kwargsrepr: retry.kwargs ? kwargsRepr(kwargs) : msg.kwargsrepr,
    retries: msg.retries + 1,
    eta: toIsoWithOffset(new Date(eta)),
    parentId: msg.id,
    rootId: msg.rootId ?? msg.id,
    origin: rt.hostname,
  };
  const route: RouteInput = { queue: delivery.info.queue };
  const o = retry.options;
  if (o?.queue !== undefined) route.queue = o.queue;
  if (o?.routingKey !== undefined) route.routingKey = o.routingKey;
  if (o?.exchange !== undefined) route.exchange = o.exchange;
  if (o?.priority !== undefined) {
    route.priority = o.priority;
    next.priority = o.priority;
  }
  await rt.app.publish(next, rt.app.route(msg.name, route));
  return Math.max(0, eta - now);
}
