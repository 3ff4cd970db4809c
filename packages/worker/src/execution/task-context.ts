/**
 * The request context a task runs with (Celery's `self.request` plus `retry` and `update_state`).
 */
import { Replace, readSignature, throwRetry, toWireSignature } from '@q/core/internal';
import type { Logger, RetryOptions, SignatureLike, TaskContext, TaskState } from '@q/core';
import type { WorkerRuntime } from '../worker-runtime.js';
import type { TaskRequest } from './task-request.js';
import { storeState } from './store-state.js';

/**
 * The context of one run. A class, not an object literal: one is built for every task, and a literal with
 * accessors is far slower to create. `signal` and `logger` are accessors (on the prototype) that create the
 * `AbortSignal` and the child logger on first use; most tasks use neither. `retry` and `updateState` are
 * own functions, so they work when destructured.
 */
// The request fields are declared once, by `TaskContext`; the class only assigns them (in its constructor; callers
// see the readonly `TaskContext`).
type RequestFields = { -readonly [K in Exclude<keyof TaskContext, 'signal' | 'logger' | 'retry' | 'replace' | 'updateState' | 'isEager'>]: TaskContext[K] };
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
interface WorkerTaskContext extends RequestFields {}
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
class WorkerTaskContext implements TaskContext {
  readonly isEager = false;
  readonly #makeSignal: () => AbortSignal;
  readonly #makeLogger: () => Logger;
  #signal: AbortSignal | undefined;

  constructor(
    rt: WorkerRuntime,
    request: TaskRequest,
    signal: () => AbortSignal,
    logger: () => Logger,
    timeLimit: [number | null, number | null],
  ) {
    const { message, delivery, task } = request;
    const embed = message.embed;
    this.id = message.id;
    this.name = message.name;
    this.args = message.args;
    this.kwargs = message.kwargs;
    this.retries = message.retries;
    this.eta = message.eta;
    this.expires = message.expires;
    this.parentId = message.parentId;
    this.rootId = message.rootId;
    this.groupId = message.groupId;
    this.groupIndex = message.groupIndex;
    this.hostname = rt.hostname;
    this.origin = message.origin;
    this.replyTo = message.replyTo;
    this.correlationId = message.correlationId;
    this.deliveryInfo = {
      exchange: delivery.info.exchange,
      routingKey: delivery.info.routingKey,
      priority: delivery.info.priority ?? message.priority,
      redelivered: delivery.info.redelivered,
    };
    this.timeLimit = timeLimit;
    this.headers = delivery.message.headers;
    this.callbacks = embed.callbacks;
    this.errbacks = embed.errbacks;
    this.chain = embed.chain;
    this.chord = embed.chord;
    this.#makeSignal = signal;
    this.#makeLogger = logger;
    this.retry = (options: RetryOptions = {}): never =>
      throwRetry(options, {
        id: message.id,
        name: message.name,
        retries: message.retries,
        maxRetries: task.options.maxRetries ?? null,
        defaultRetryDelay: task.options.defaultRetryDelay,
        argsrepr: message.argsrepr,
        kwargsrepr: message.kwargsrepr,
        timezone: rt.app.conf.timezone,
      });
    this.replace = (sig: SignatureLike): never => {
      throw new Replace(readSignature(toWireSignature(sig), 'replace()'));
    };
    this.updateState = async (state: TaskState, meta?: unknown): Promise<void> => {
      await storeState(rt, message, { status: state, result: meta ?? null, queue: delivery.info.queue });
    };
  }

  /** Aborted on soft time limit, revoke with terminate, or cold shutdown (created on first use). */
  get signal(): AbortSignal {
    this.#signal ??= this.#makeSignal();
    return this.#signal;
  }

  get logger(): Logger {
    return this.#makeLogger();
  }

  readonly retry: (options?: RetryOptions) => never;
  readonly replace: (sig: SignatureLike) => never;
  readonly updateState: (state: TaskState, meta?: unknown) => Promise<void>;
}

/**
 * Build the {@link TaskContext} of one run.
 *
 * `retry()` checks `maxRetries` first (the option given, else the task's): when exhausted it throws `exc`
 * if given, else a `MaxRetriesExceededError`; otherwise it throws a `Retry` the trace turns into a
 * re-published message.
 *
 * `signal` and `logger` are called on first use of `ctx.signal`/`ctx.logger` (an `AbortSignal` and a child
 * logger are costly to create, and most tasks use neither); `timeLimit` is the request's effective
 * `[hard, soft]` limits.
 */
export function buildTaskContext(
  rt: WorkerRuntime,
  request: TaskRequest,
  signal: () => AbortSignal,
  logger: () => Logger,
  timeLimit: [number | null, number | null],
): TaskContext {
  return new WorkerTaskContext(rt, request, signal, logger, timeLimit);
}
