/**
 * The jobs the worker has handed its pool, by task id, each with its {@link RevokeHandle}: what a revoke with
 * `terminate` looks up (Celery's `state.active_requests` as `_revoke` searches it).
 */
import { RevokeHandle } from './revoke-handle.js';

/** Handles of the jobs handed to the pool and not finished. */
export class RunningTasks {
  /** One handle per id, or several when the same id runs twice (a redelivered copy). */
  readonly #byId = new Map<string, RevokeHandle | RevokeHandle[]>();

  /** Ids of the jobs handed to the pool (waiting for a slot or running). */
  get ids(): string[] {
    return [...this.#byId.keys()];
  }

  /** A job of `taskId` goes to the pool: its handle. */
  add(taskId: string): RevokeHandle {
    const handle = new RevokeHandle();
    const current = this.#byId.get(taskId);
    if (current === undefined) this.#byId.set(taskId, handle);
    else if (Array.isArray(current)) current.push(handle);
    else this.#byId.set(taskId, [current, handle]);
    return handle;
  }

  /** The job of `handle` is done. */
  delete(taskId: string, handle: RevokeHandle): void {
    const current = this.#byId.get(taskId);
    if (current === handle) this.#byId.delete(taskId);
    else if (Array.isArray(current)) {
      const rest = current.filter((h) => h !== handle);
      if (rest.length === 0) this.#byId.delete(taskId);
      else this.#byId.set(taskId, rest.length === 1 ? (rest[0] as RevokeHandle) : rest);
    }
  }

  /**
   * Abort, with `reason(id)`, the running jobs (those a pool listens to) of `ids`; jobs still waiting for a slot
   * are left alone (the revoked-id check skips them when they get one). Returns the ids of the jobs aborted.
   */
  terminate(ids: Iterable<string>, reason: (taskId: string) => unknown): string[] {
    const done: string[] = [];
    for (const id of new Set(ids)) {
      const current = this.#byId.get(id);
      if (current === undefined) continue;
      let hit = false;
      for (const handle of Array.isArray(current) ? [...current] : [current]) {
        if (!handle.listening || handle.aborted) continue;
        handle.abort(reason(id));
        hit = true;
      }
      if (hit) done.push(id);
    }
    return done;
  }
}
