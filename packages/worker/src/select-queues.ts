/** Which queues a worker consumes (Celery's `-Q`, `task_queues` and `-X/--exclude-queues`). */
import type { ResolvedConfig } from '@q/core';

/** The queue choice of a worker's options. */
export interface QueueSelection {
  /** Queues to consume; default `worker.queues`, else the queues of `task.queues`, else the default queue. */
  queues?: readonly string[] | undefined;
  /** Queues removed from that set. */
  excludeQueues?: readonly string[] | undefined;
}

/**
 * The queues a worker consumes: `queues`, else `worker.queues`, else every queue declared in `task.queues` (the
 * default queue when none is declared), without those in `excludeQueues`. May be empty (the caller reports it).
 */
export function selectQueues(conf: ResolvedConfig, selection: QueueSelection = {}): string[] {
  const declared = conf.task.queues.map((q) => q.name);
  const chosen = selection.queues ?? conf.worker.queues ?? (declared.length > 0 ? declared : [conf.task.defaultQueue]);
  const excluded = new Set(selection.excludeQueues ?? []);
  return [...new Set(chosen)].filter((q) => !excluded.has(q));
}
