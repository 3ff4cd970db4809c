/**
 * Hands a job to the worker's pool with a {@link RevokeHandle} as its `signal`, registered under its task id while
 * the pool has it, so that `worker.revoke(id, { terminate: true })` can stop it.
 */
import type { PoolJob, PoolOutcome, PoolRunOptions } from '@q/core/adapter';
import type { WorkerRuntime } from '../worker-runtime.js';

/** `rt.pool.run(job, options)`, revocable with terminate (when the runtime keeps a node state and no signal is given). */
export function runRevocable(rt: WorkerRuntime, job: PoolJob, options: PoolRunOptions): Promise<PoolOutcome> {
  const state = rt.nodeState;
  if (state === undefined || options.signal !== undefined) return rt.pool.run(job, options);
  const running = state.running;
  const handle = running.add(job.taskId, job);
  options.signal = handle.asSignal();
  const done = (): void => running.delete(job.taskId, handle);
  return rt.pool.run(job, options).then(
    (outcome) => {
      done();
      return outcome;
    },
    (err: unknown) => {
      done();
      throw err;
    },
  );
}
