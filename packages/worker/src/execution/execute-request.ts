/**
 * The consumer's entry point into execution: run one request as a {@link Trace}, and requeue it should the
 * trace itself fail.
 */
import type { WorkerRuntime } from '../worker-runtime.js';
import { Trace } from './trace.js';
import type { TaskRequest } from './task-request.js';

/**
 * Run `request` in the worker's pool and settle it. Never throws: every error is logged.
 *
 * Acks: early (when the job starts in the pool) by default, after the outcome is handled with `acksLate`.
 * A job the pool never started (stopped pool) is requeued.
 */
export function executeRequest(rt: WorkerRuntime, request: TaskRequest): Promise<void> {
  const trace = new Trace(rt, request);
  return trace.execute().catch(async (err: unknown) => {
    trace.log.error({ err }, `internal error running ${request.message.name}[${request.message.id}]`);
    await trace.settle('requeue');
  });
}
