/**
 * A pool of N slots on the event loop: jobs beyond N wait in FIFO order for a free slot.
 * `asyncPool` and `soloPool` are this with different names and sizes.
 */
import { QError } from '@q/core';
import type { Pool, PoolJob, PoolOutcome, PoolRunOptions } from '@q/core';
import { runWithLimits } from './run-with-limits.js';

interface Waiter {
  admit(): void;
  reject(reason: unknown): void;
}

/**
 * Create a slot pool.
 *
 * `stop({ graceful: true })` stops admitting jobs (waiting jobs resolve `terminated` without running, so the
 * worker can requeue them) and resolves when the running jobs are done. `stop({ graceful: false })` also
 * aborts the running jobs (they resolve `terminated` at once). `run` after `stop` resolves `terminated`.
 */
export function slotPool(name: string, concurrency: number): Pool {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new QError('Q_ERR_CONFIG_INVALID', `pool ${name}: concurrency must be a positive integer, got ${concurrency}`);
  }
  let active = 0;
  let stopped = false;
  const waiting: Waiter[] = [];
  const running = new Set<{ controller: AbortController; done: Promise<PoolOutcome> }>();

  const stoppedReason = (): QError => new QError('Q_ERR_WORKER_STATE', `pool ${name} is stopped`);

  const acquire = (): Promise<void> => {
    if (stopped) return Promise.reject(stoppedReason());
    if (active < concurrency) {
      active += 1;
      return Promise.resolve();
    }
    return new Promise<void>((admit, reject) => {
      waiting.push({
        admit: () => {
          active += 1;
          admit();
        },
        reject,
      });
    });
  };
  const release = (): void => {
    active -= 1;
    const next = waiting.shift();
    if (next && !stopped) next.admit();
  };

  return {
    name,
    get concurrency() {
      return concurrency;
    },
    get active() {
      return active;
    },
    async start() {
      stopped = false;
    },
    async stop({ graceful }) {
      stopped = true;
      const reason = stoppedReason();
      for (const w of waiting.splice(0)) w.reject(reason);
      if (!graceful) for (const r of running) r.controller.abort(reason);
      await Promise.all([...running].map((r) => r.done));
    },
    async run(job: PoolJob, options: PoolRunOptions): Promise<PoolOutcome> {
      try {
        await acquire();
      } catch (reason) {
        return { kind: 'terminated', reason, runtimeMs: 0 };
      }
      const controller = new AbortController();
      const outer = options.signal;
      const forward = (): void => controller.abort(outer?.reason);
      if (outer?.aborted) forward();
      else outer?.addEventListener('abort', forward, { once: true });
      const done = runWithLimits(job, { ...options, signal: controller.signal });
      const entry = { controller, done };
      running.add(entry);
      try {
        return await done;
      } finally {
        outer?.removeEventListener('abort', forward);
        running.delete(entry);
        release();
      }
    },
  };
}
