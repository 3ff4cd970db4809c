/**
 * Retrying a publish on retryable errors with a Celery retry policy (`task_publish_retry_policy`, and the rpc
 * backend's own): the producer and the rpc result backend share it.
 */
import { isQError } from '../errors/q-error.js';
import type { RetryPolicy } from '../config/options.js';

/**
 * Runs `attempt` until it succeeds, retrying retryable `QError`s up to `policy.maxRetries` times after
 * `intervalStart + n × intervalStep` seconds (capped at `intervalMax`). `onRetry` hears of each retry first.
 * Non-retryable errors, and the last one, are thrown.
 */
export async function withPublishRetry<T>(
  attempt: () => Promise<T>,
  policy: Readonly<Required<RetryPolicy>>,
  onRetry: (err: unknown, retry: number, delaySeconds: number) => void,
): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(isQError(err) && err.retryable) || n >= policy.maxRetries) throw err;
      const delayS = Math.min(policy.intervalStart + n * policy.intervalStep, Math.max(policy.intervalMax, policy.intervalStart));
      onRetry(err, n + 1, delayS);
      if (delayS > 0) await new Promise((resolve) => setTimeout(resolve, delayS * 1000));
    }
  }
}
