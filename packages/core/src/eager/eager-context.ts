/**
 * The {@link TaskContext} of an eager run (Celery's request of `Task.apply`: `is_eager` true, the caller's host
 * name, the call's delivery options). `retry()` checks `maxRetries` as a worker does and throws a `Retry` that the
 * eager tracer turns into an immediate re-run (Celery runs an eager retry at once: `countdown` and `eta` are
 * ignored); `replace()` throws a `Replace` the tracer applies eagerly; `updateState()` stores the state only when the
 * app stores eager results (`task.storeEagerResult`) and has a result backend.
 */
import type { Logger } from '../contracts/logger.js';
import type { TaskState } from '../contracts/result-backend.js';
import { argsRepr, kwargsRepr } from '../protocol/repr.js';
import type { WireSignature } from '../protocol/task-message.js';
import { readSignature } from '../canvas/read-signature.js';
import { toWireSignature } from '../canvas/to-wire.js';
import { Replace } from '../task/control.js';
import { throwRetry } from '../task/retry-signal.js';
import type { RetryOptions, SignatureLike, TaskContext } from '../task/types.js';

/** What one eager run is: the request its context shows. */
export interface EagerRequest {
  readonly id: string;
  readonly name: string;
  readonly args: readonly unknown[];
  readonly kwargs: Readonly<Record<string, unknown>>;
  readonly retries: number;
  readonly parentId: string | null;
  readonly rootId: string | null;
  readonly groupId: string | null;
  readonly groupIndex: number | null;
  readonly headers: Readonly<Record<string, unknown>>;
  readonly callbacks: readonly WireSignature[];
  readonly errbacks: readonly WireSignature[];
  readonly chord: WireSignature | null;
  readonly delivery: { readonly exchange: string; readonly routingKey: string; readonly priority: number };
  readonly timeLimit: [number | null, number | null];
}

/** What the context needs from the tracer. */
export interface EagerContextHost {
  /** The node name shown as `hostname` and `origin`. */
  readonly origin: string;
  /** The app's oid (`replyTo`). */
  readonly oid: string;
  readonly log: Logger;
  /** The app's time zone (a naive `eta` string given to `retry`). */
  readonly timezone: string;
  /** The task's `maxRetries` and `defaultRetryDelay`. */
  readonly maxRetries: number | null;
  readonly defaultRetryDelay: number;
  /** Store a custom state (does nothing when eager results are not stored). */
  storeState(state: TaskState, meta: unknown): Promise<void>;
}

/** Builds the context of one eager run: see the module comment. */
export function eagerTaskContext(host: EagerContextHost, request: EagerRequest): TaskContext {
  const never = new AbortController();
  let logger: Logger | undefined;
  return {
    id: request.id,
    name: request.name,
    args: request.args,
    kwargs: request.kwargs,
    retries: request.retries,
    eta: null,
    expires: null,
    parentId: request.parentId,
    rootId: request.rootId,
    groupId: request.groupId,
    groupIndex: request.groupIndex,
    hostname: host.origin,
    origin: host.origin,
    replyTo: host.oid,
    correlationId: request.id,
    deliveryInfo: { ...request.delivery, redelivered: false },
    timeLimit: request.timeLimit,
    headers: request.headers,
    callbacks: request.callbacks.length > 0 ? request.callbacks : null,
    errbacks: request.errbacks.length > 0 ? request.errbacks : null,
    chain: null,
    chord: request.chord,
    isEager: true,
    // Nothing ends an eager run from outside (no time limits, no revoke, no worker shutdown).
    signal: never.signal,
    get logger(): Logger {
      logger ??= host.log.child({ taskId: request.id, taskName: request.name, eager: true });
      return logger;
    },
    retry(options: RetryOptions = {}): never {
      return throwRetry(options, {
        id: request.id,
        name: request.name,
        retries: request.retries,
        maxRetries: host.maxRetries,
        defaultRetryDelay: host.defaultRetryDelay,
        argsrepr: argsRepr(request.args),
        kwargsrepr: kwargsRepr(request.kwargs),
        timezone: host.timezone,
      });
    },
    replace(sig: SignatureLike): never {
      throw new Replace(readSignature(toWireSignature(sig), 'replace()'));
    },
    updateState(state: TaskState, meta?: unknown): Promise<void> {
      return host.storeState(state, meta ?? null);
    },
  };
}
