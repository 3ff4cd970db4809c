/**
 * The `ctx` a task body gets in a child process or thread: the request fields from the job descriptor,
 * `retry`/`replace` thrown here (the outcome carries them back as data), `updateState` asked of the parent.
 */
import { MaxRetriesExceededError, Retry } from '@q/core';
import { Replace, parseIsoDate, readSignature, toWireSignature } from '@q/core/internal';
import type { Logger, RetryInit, RetryOptions, SignatureLike, TaskContext, TaskState } from '@q/core';
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
  const retry = (options: RetryOptions = {}): never => {
    const max = options.maxRetries !== undefined ? options.maxRetries : host.maxRetries;
    if (max !== null && r.retries >= max) {
      if (options.exc !== undefined) throw options.exc;
      throw new MaxRetriesExceededError('Q_ERR_MAX_RETRIES_EXCEEDED', `Can't retry ${r.name}[${r.id}] args:${r.argsrepr} kwargs:${r.kwargsrepr}`);
    }
    const init: RetryInit = {};
    if (options.eta !== undefined) init.eta = options.eta instanceof Date ? options.eta : parseIsoDate(options.eta, host.timezone);
    else init.countdownSeconds = options.countdown ?? host.defaultRetryDelay;
    if (options.exc !== undefined) init.exc = options.exc;
    if (options.args !== undefined) init.args = options.args;
    if (options.kwargs !== undefined) init.kwargs = options.kwargs;
    if (options.options !== undefined) init.options = options.options;
    throw new Retry(init);
  };
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
