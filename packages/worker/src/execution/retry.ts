/**
 * Re-publishing a task that asked to be retried (Celery's `Task.retry` → `signature_from_request().apply_async`),
 * built by core's `buildTaskMessage` like every other message.
 */
import { buildTaskMessage, routePublishOptions, withRouteOptions } from '@q/core/internal';
import type { Retry } from '@q/core';
import type { MessageOptions } from '@q/core/internal';
import type { WorkerRuntime } from '../worker-runtime.js';
import { workerMessageContext } from './message-context.js';
import type { TaskRequest } from './task-request.js';

/**
 * Publish the retry of `request`: the same id, `retries + 1`, a new `eta` (none for a countdown of 0),
 * `parent_id` = its own id, the same root, and what the request carries (args, kwargs, reprs, embed, headers,
 * expiry, time limits, group, shadow, reply-to, priority, properties) unless the retry replaces its arguments;
 * to the queue it came from unless `retry.options` routes it elsewhere. Returns the delay in ms.
 */
export async function publishRetry(rt: WorkerRuntime, request: TaskRequest, retry: Retry, now: number = Date.now()): Promise<number> {
  const { message: msg, delivery, task } = request;
  const options: MessageOptions = {
    taskId: msg.id,
    queue: delivery.info.queue,
    priority: msg.priority,
    replyTo: msg.replyTo,
    ignoreResult: msg.ignoreResult,
    headers: msg.extraHeaders,
  };
  let delayMs: number;
  if (retry.eta !== undefined) {
    options.eta = retry.eta;
    delayMs = Math.max(0, retry.eta.getTime() - now);
  } else {
    options.countdown = retry.countdownSeconds ?? task.options.defaultRetryDelay;
    delayMs = Math.max(0, options.countdown * 1000);
  }
  const [timeLimit, softTimeLimit] = msg.timeLimit;
  const { callbacks, errbacks, chain, chord } = msg.embed;
  if (msg.expires !== null) options.expires = msg.expires;
  if (timeLimit !== null) options.timeLimit = timeLimit;
  if (softTimeLimit !== null) options.softTimeLimit = softTimeLimit;
  if (msg.groupId !== null) options.groupId = msg.groupId;
  if (msg.groupIndex !== null) options.groupIndex = msg.groupIndex;
  if (msg.shadow !== null) options.shadow = msg.shadow;
  if (callbacks !== null) options.link = callbacks;
  if (errbacks !== null) options.linkError = errbacks;
  if (chord !== null) options.chord = chord;
  const o = retry.options;
  if (o?.queue !== undefined) options.queue = o.queue;
  if (o?.routingKey !== undefined) options.routingKey = o.routingKey;
  if (o?.exchange !== undefined) options.exchange = o.exchange;
  if (o?.priority !== undefined) options.priority = o.priority;

  // The call's `queue`, `exchange`, `routingKey` and `priority` are its routing options.
  const args = retry.args ?? msg.args;
  const kwargs = retry.kwargs ?? msg.kwargs;
  const route = rt.app.route(msg.name, options, args, kwargs);
  const message = buildTaskMessage({
    name: msg.name,
    args,
    kwargs,
    options: withRouteOptions(options, route),
    context: workerMessageContext(rt, {
      parentId: msg.id,
      rootId: msg.rootId ?? msg.id,
      chain,
      retries: msg.retries + 1,
      ...(retry.args ? {} : { argsrepr: msg.argsrepr }),
      ...(retry.kwargs ? {} : { kwargsrepr: msg.kwargsrepr }),
      extraProperties: msg.extraProperties,
      priority: route.priority,
      // Everything the request set is given above: a default would add what it did not have.
      defaults: { ignoreResult: msg.ignoreResult, expires: null },
      now: new Date(now),
    }),
  });
  await rt.app.publish(message, route, routePublishOptions({}, route, rt.app.conf.task));
  return delayMs;
}
