/**
 * Runs one pool job on the event loop with soft and hard time limits and an outer abort signal.
 */
import { TimeLimitExceededError } from '@q/core';
import type { PoolJob, PoolOutcome, PoolRunOptions } from '@q/core';

/**
 * Run `job` now. Never throws.
 *
 * - Soft limit: the job's signal is aborted with a `TimeLimitExceededError` (`Q_ERR_SOFT_TIME_LIMIT`) as
 *   its reason; the job may catch it, clean up and finish (its outcome is then whatever it returns or throws).
 * - Hard limit: resolves `{ kind: 'timeout' }` at once and aborts the job's signal with a
 *   `TimeLimitExceededError` (`Q_ERR_HARD_TIME_LIMIT`). A promise on the event loop cannot be killed: if the
 *   job ignores its signal, it keeps running in the background and whatever it later returns is discarded.
 * - Outer signal (revoke with terminate, cold shutdown): resolves `{ kind: 'terminated' }` at once, with the
 *   signal's reason, and aborts the job's signal with that reason.
 */
export function runWithLimits(job: PoolJob, options: PoolRunOptions): Promise<PoolOutcome> {
  const controller = new AbortController();
  const startedAt = performance.now();
  const elapsed = (): number => performance.now() - startedAt;
  const timers: ReturnType<typeof setTimeout>[] = [];

  return new Promise<PoolOutcome>((resolve) => {
    let settled = false;
    const finish = (outcome: PoolOutcome): void => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      options.signal?.removeEventListener('abort', onOuterAbort);
      resolve(outcome);
    };
    const onOuterAbort = (): void => {
      const reason: unknown = options.signal?.reason;
      controller.abort(reason);
      finish({ kind: 'terminated', reason, runtimeMs: elapsed() });
    };

    if (options.signal?.aborted) {
      onOuterAbort();
      return;
    }
    options.signal?.addEventListener('abort', onOuterAbort, { once: true });

    if (options.softTimeoutMs !== undefined) {
      const ms = options.softTimeoutMs;
      timers.push(
        setTimeout(() => {
          controller.abort(
            new TimeLimitExceededError('Q_ERR_SOFT_TIME_LIMIT', `soft time limit (${ms / 1000}s) exceeded for ${job.taskName}[${job.taskId}]`),
          );
        }, ms),
      );
    }
    if (options.hardTimeoutMs !== undefined) {
      const ms = options.hardTimeoutMs;
      timers.push(
        setTimeout(() => {
          controller.abort(
            new TimeLimitExceededError('Q_ERR_HARD_TIME_LIMIT', `hard time limit (${ms / 1000}s) exceeded for ${job.taskName}[${job.taskId}]`),
          );
          finish({ kind: 'timeout', limit: 'hard', runtimeMs: elapsed() });
        }, ms),
      );
    }

    let running: Promise<unknown>;
    try {
      running = Promise.resolve(job.run(controller.signal));
    } catch (error) {
      finish({ kind: 'failure', error, runtimeMs: elapsed() });
      return;
    }
    running.then(
      (value) => finish({ kind: 'success', value, runtimeMs: elapsed() }),
      (error: unknown) => finish({ kind: 'failure', error, runtimeMs: elapsed() }),
    );
  });
}
