/**
 * The request context a task runs with (Celery's `self.request` plus `retry` and `update_state`).
 */
import { MaxRetriesExceededError, Retry, parseIsoDate } from '@q/core';
import type { Logger, RetryInit, RetryOptions, TaskContext, TaskState } from '@q/core';
import type { WorkerRuntime } from '../runtime.js';
import { effectiveTimeLimits } from './request.js';
import type { TaskRequest } from './request.js';
import { storeState } from './results.js';

/**
 * Build the {@link TaskContext} of one run.
 *
 * `retry()` checks `maxRetries` first (the option given, else the task's): when exhausted it throws `exc`
 * if given, else a `MaxRetriesExceededError`; otherwise it throws a `Retry` the tracer turns into a
 * re-published message.
 */
export function buildTaskContext(rt: WorkerRuntime, request: TaskRequest, signal: AbortSignal, logger: Logger): TaskContext {
  const { message, delivery, task } = request;
  const embed = message.embed;
  return {
    id: message.id,
    name: message.name,
    args: message.args,
    kwargs: message.kwargs,
    retries: message.retries,
    eta: message.eta,
    expires: message.expires,
    parentId: message.parentId,
    rootId: message.rootId,
    groupId: message.groupId,
    groupIndex: message.groupIndex,
    hostname: rt.hostname,
    origin: message.origin,
    replyTo: message.replyTo,
    correlationId: message.correlationId,
    deliveryInfo: {
      exchange: delivery.info.exchange,
      routingKey: delivery.info.routingKey,
      priority: delivery.info.priority ?? message.priority,
      redelivered: delivery.info.redelivered,
    },
    timeLimit: effectiveTimeLimits(request),
    headers: delivery.message.headers,
    callbacks: embed.callbacks,
    errbacks: embed.errbacks,
    chain: embed.chain,
    chord: embed.chord,
    isEager: false,
    signal,
    logger,
    retry(options: RetryOptions = {}): never {
      const max = options.maxRetries !== undefined ? options.maxRetries : (task.options.maxRetries ?? null);
      if (max !== null && message.retries >= max) {
        if (options.exc !== undefined) throw options.exc;
        throw new MaxRetriesExceededError(
          'Q_ERR_MAX_RETRIES_EXCEEDED',
          `Can't retry ${message.name}[${message.id}] args:${message.argsrepr} kwargs:${message.kwargsrepr}`,
        );
      }
      const init: RetryInit = {};
      if (options.eta !== undefined) {
        init.eta = options.eta instanceof Date ? options.eta : parseIsoDate(options.eta, rt.app.conf.timezone);
      } else {
        init.countdownSeconds = options.countdown ?? task.options.defaultRetryDelay;
      }
      if (options.exc !== undefined) init.exc = options.exc;
      if (options.args !== undefined) init.args = options.args;
      if (options.kwargs !== undefined) init.kwargs = options.kwargs;
      if (options.options !== undefined) init.options = options.options;
      throw new Retry(init);
    },
    async updateState(state: TaskState, meta?: unknown): Promise<void> {
      await storeState(rt, message, { status: state, result: meta ?? null, queue: delivery.info.queue });
    },
  };
}
