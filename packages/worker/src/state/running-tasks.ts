/**
 * The jobs the worker has handed its pool, each with its {@link RevokeHandle}: what a revoke with `terminate` looks
 * up (Celery's `state.active_requests` as `_revoke` searches it).
 *
 * Kept as a doubly linked list through the handles, not a map by id: adding and removing a job (twice per task, on
 * the hot path) is a few pointer writes; a revoke (rare) walks the jobs in the pool, at most the prefetch.
 */
import { RevokeHandle } from './revoke-handle.js';

/** Handles of the jobs handed to the pool and not finished. */
export class RunningTasks {
  #head: RevokeHandle | null = null;

  /** Ids of the jobs handed to the pool (waiting for a slot or running), oldest first, once each. */
  get ids(): string[] {
    const ids = new Set<string>();
    for (let h = this.#head; h !== null; h = h.next) ids.add(h.taskId);
    return [...ids].reverse();
  }

  /** The jobs handed to the pool (as given to {@link add}), oldest first. */
  get jobs(): unknown[] {
    const jobs: unknown[] = [];
    for (let h = this.#head; h !== null; h = h.next) if (h.job !== null) jobs.push(h.job);
    return jobs.reverse();
  }

  /** A job of `taskId` goes to the pool: its handle (`job`: the job itself, listed by {@link jobs}). */
  add(taskId: string, job: unknown = null): RevokeHandle {
    const handle = new RevokeHandle(taskId, job);
    const head = this.#head;
    if (head !== null) {
      handle.next = head;
      head.prev = handle;
    }
    this.#head = handle;
    return handle;
  }

  /** The job of `handle` is done (`taskId` is its id, kept for callers that track by id). */
  delete(_taskId: string, handle: RevokeHandle): void {
    const { prev, next } = handle;
    if (prev !== null) prev.next = next;
    else if (this.#head === handle) this.#head = next;
    else return; // not in the list (deleted already)
    if (next !== null) next.prev = prev;
    handle.prev = null;
    handle.next = null;
  }

  /**
   * Abort, with `reason(id)`, the running jobs (those a pool listens to) of `ids`; jobs still waiting for a slot
   * are left alone (the revoked-id check skips them when they get one). Returns the ids of the jobs aborted.
   */
  terminate(ids: Iterable<string>, reason: (taskId: string) => unknown): string[] {
    const wanted = new Set(ids);
    const done = new Set<string>();
    for (let h = this.#head; h !== null; h = h.next) {
      if (!wanted.has(h.taskId) || !h.listening || h.aborted) continue;
      h.abort(reason(h.taskId));
      done.add(h.taskId);
    }
    return [...done];
  }
}
