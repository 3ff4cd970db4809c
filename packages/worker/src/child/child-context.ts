/**
 * The `ctx` a task body gets in a child process or thread: the request fields from the job descriptor,
 * `retry`/`replace` thrown here (the outcome carries them back as data), `updateState` asked of the parent.
 */
import { Replace, readSignature, throwRetry, toWireSignature } from '@q/core/internal';
import type { Logger, RetryOptions, SignatureLike, TaskContext, TaskState } from '@q/core';
import type { JobDescriptor } from '@q/core/adapter';

/** What the context needs from the child it runs in. */
export interface ChildContextHost {
  readonly timezone: string;
  readonly logger: Logger;
  readonly maxRetries: number | null;
  readonly defaultRetryDelay: number;
  updateState(state: TaskState, meta: unknown): Promise<void>;
}

/** Build the context of one run of `job` in a child; `signal` is the run's (aborted at the soft limit). */
export function childTaskContext(job: JobDescriptor, host: ChildContextHost, signal: AbortSignal): TaskContext {
  const r = job.request;
  const retry = (options: RetryOptions = {}): never =>
    throwRetry(options, {
      id: r.id,
      name: r.name,
      retries: r.retries,
      maxRetries: host.maxRetries,
      defaultRetryDelay: host.defaultRetryDelay,
      argsrepr: r.argsrepr,
      kwargsrepr: r.kwargsrepr,
      timezone: host.timezone,
    });
  const ctx = {
    id: r.id,
    name: r.name,
    args: job.args,
    kwargs: job.kwargs,
    retries: r.retries,
    eta: r.eta,
    expires: r.expires,
    parentId: r.parentId,
    rootId: r.rootId,
    groupId: r.groupId,
    groupIndex: r.groupIndex,
    hostname: r.hostname,
    origin: r.origin,
    replyTo: r.replyTo,
    correlationId: r.correlationId,
    deliveryInfo: r.deliveryInfo,
    timeLimit: r.timeLimit,
    headers: r.headers,
    callbacks: r.callbacks,
    errbacks: r.errbacks,
    chain: r.chain,
    chord: r.chord,
    isEager: false,
    signal,
    logger: host.logger,
    retry,
    replace: (sig: SignatureLike): never => {
      throw new Replace(readSignature(toWireSignature(sig), 'replace()'));
    },
    updateState: (state: TaskState, meta?: unknown) => host.updateState(state, meta ?? null),
  };
  return ctx as unknown as TaskContext;
}
