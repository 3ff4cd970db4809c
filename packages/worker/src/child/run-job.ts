/**
 * Runs one job descriptor in a child process or thread and reports its outcome as data. `autoretryFor` is
 * matched here, where the error's class is known: a match comes back as a `retry` control.
 */
import { Retry, TimeLimitExceededError } from '@q/core';
import { runAsTask } from '@q/core/internal';
import type { App, Logger, TaskState } from '@q/core';
import type { JobDescriptor, RemoteOutcome } from '@q/core/adapter';
import { backoffCountdown } from '../execution/backoff.js';
import { childTaskContext } from './child-context.js';
import { serializeControl, serializeError } from './serialize-error.js';

/** What a running job needs from its child. */
export interface RunJobHost {
  readonly app: App;
  readonly logger: Logger;
  updateState(state: TaskState, meta: unknown): Promise<void>;
}

/**
 * Run `job`; `signal` aborts at its soft time limit. Never throws. What the body sends (its `children` result
 * tuples) is pushed onto `children`, for the parent to store with the result.
 */
export async function runJob(host: RunJobHost, job: JobDescriptor, signal: AbortSignal, children: unknown[] = []): Promise<RemoteOutcome> {
  let value: unknown;
  const task = host.app.tasks.get(job.taskName);
  if (task === undefined) return { kind: 'failure', error: serializeError(new Error(`task ${job.taskName} is not registered in this child`)) };
  const options = task.options;
  try {
    const ctx = childTaskContext(
      job,
      { timezone: host.app.conf.timezone, logger: host.logger, maxRetries: options.maxRetries ?? null, defaultRetryDelay: options.defaultRetryDelay, updateState: host.updateState },
      signal,
    );
    const request = job.request;
    const running = { id: request.id, rootId: request.rootId ?? request.id, children, priority: request.deliveryInfo.priority };
    value = await runAsTask(running, () => task.run(ctx, job.args, job.kwargs));
  } catch (error) {
    const control = serializeControl(autoretry(error, options, job.request.retries) ?? error);
    if (control !== undefined) return { kind: 'control', control };
    return { kind: 'failure', error: serializeError(error) };
  }
  return { kind: 'success', value };
}

type AutoretryOptions = {
  autoretryFor?: readonly (abstract new (...args: never[]) => unknown)[] | undefined;
  maxRetries?: number | null | undefined;
  retryBackoff?: boolean | number | undefined;
  retryBackoffMax?: number | undefined;
  retryJitter?: boolean | undefined;
  defaultRetryDelay: number;
};

/** The retry `error` turns into under the task's `autoretryFor`, if it does. */
function autoretry(error: unknown, opts: AutoretryOptions, retries: number): Retry | undefined {
  if (!(opts.autoretryFor ?? []).some((cls) => error instanceof cls)) return undefined;
  const max = opts.maxRetries ?? null;
  if (max !== null && retries >= max) return undefined;
  const countdown = backoffCountdown(
    { retryBackoff: opts.retryBackoff ?? false, retryBackoffMax: opts.retryBackoffMax ?? 600, retryJitter: opts.retryJitter ?? true },
    retries,
  );
  return new Retry({ countdownSeconds: countdown ?? opts.defaultRetryDelay, exc: error });
}

/** The soft-limit error a job's signal aborts with. */
export function softLimitError(job: JobDescriptor, seconds: number): TimeLimitExceededError {
  return new TimeLimitExceededError('Q_ERR_SOFT_TIME_LIMIT', `soft time limit (${seconds}s) exceeded for ${job.taskName}[${job.request.id}]`);
}
