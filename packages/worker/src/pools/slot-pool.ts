/**
 * A pool of N slots on the event loop: jobs beyond N wait in FIFO order for a free slot.
 * `asyncPool` and `soloPool` are this with different names and sizes.
 */
import { QError } from '@q/core';
import type { Pool, PoolJob, PoolOutcome, PoolRunOptions } from '@q/core/adapter';
import { JobRun } from './run-with-limits.js';

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
  const running = new Set<JobRun>();

  const stoppedReason = (): QError => new QError('Q_ERR_WORKER_STATE', `pool ${name} is stopped`);

  /** Wait for a free slot (only called when every slot is taken). */
  const queue = (): Promise<void> =>
    new Promise<void>((admit, reject) => {
      waiting.push({
        admit: () => {
          active += 1;
          admit();
        },
        reject,
      });
    });
  /** Run a job in the slot just taken; the slot is given back when the job's outcome is known. */
  const begin = (job: PoolJob, options: PoolRunOptions): Promise<PoolOutcome> => {
    const run = new JobRun(job, options, finished);
    running.add(run);
    run.start();
    return run.done;
  };
  const finished = (run: JobRun): void => {
    running.delete(run);
    release();
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
      if (!graceful) for (const r of running) r.terminate(reason);
      await Promise.all([...running].map((r) => r.done));
    },
    run(job: PoolJob, options: PoolRunOptions): Promise<PoolOutcome> {
      if (stopped) return Promise.resolve({ kind: 'terminated', reason: stoppedReason(), runtimeMs: 0 });
      if (active < concurrency) {
        active += 1;
        return begin(job, options);
      }
      return queue().then(
        () => begin(job, options),
        (reason: unknown): PoolOutcome => ({ kind: 'terminated', reason, runtimeMs: 0 }),
      );
    },
  };
}
