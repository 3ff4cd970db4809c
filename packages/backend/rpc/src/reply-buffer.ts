/**
 * What a client keeps of the replies it received: the latest state per task id, whether someone waits on it yet
 * or not (Celery keeps the messages of ids nobody waits on as "out of band" results), and the watchers to wake.
 *
 * - A SUCCESS is final: a later message for the same id (a late RETRY of an attempt that was retried and then
 *   succeeded, a redelivered task) does not replace it — the contract's "a stored SUCCESS is never overwritten".
 * - Bounded: at most `max` ids are kept; past that the least recently updated id is dropped first, except ids that
 *   are being watched (a `get()` in progress).
 */
import type { Logger, TaskMeta } from '@q/core';

type Watcher = (meta: TaskMeta) => void;

/** The latest state per task id, bounded, with watchers. */
export class ReplyBuffer {
  readonly #max: number;
  readonly #log: () => Logger;
  /** Insertion order = least recently updated first. */
  readonly #latest = new Map<string, TaskMeta>();
  readonly #watchers = new Map<string, Set<Watcher>>();
  #warnedFull = false;

  /** `log` is read at each use (the backend's logger is known only once it is attached). */
  constructor(max: number, log: () => Logger) {
    this.#max = max;
    this.#log = log;
  }

  /** Number of task ids kept. */
  get size(): number {
    return this.#latest.size;
  }

  /** Records a received state and wakes the watchers of its task. Returns false when it was ignored (SUCCESS is final). */
  put(meta: TaskMeta): boolean {
    const current = this.#latest.get(meta.taskId);
    if (current?.status === 'SUCCESS') {
      this.#log().debug({ taskId: meta.taskId, state: meta.status }, 'rpc reply after SUCCESS ignored');
      return false;
    }
    this.#latest.delete(meta.taskId);
    this.#latest.set(meta.taskId, meta);
    this.#evict();
    for (const watcher of [...(this.#watchers.get(meta.taskId) ?? [])]) {
      try {
        watcher(meta);
      } catch (err) {
        this.#log().error({ err, taskId: meta.taskId }, 'rpc result watcher failed');
      }
    }
    return true;
  }

  /** The latest state of `taskId`, or null when none arrived (PENDING). */
  get(taskId: string): TaskMeta | null {
    return this.#latest.get(taskId) ?? null;
  }

  /** Drops what is kept of `taskId`. */
  forget(taskId: string): void {
    this.#latest.delete(taskId);
  }

  /** Calls `watcher` with each state of `taskId` received from now on; returns the unsubscribe function. */
  watch(taskId: string, watcher: Watcher): () => void {
    let set = this.#watchers.get(taskId);
    if (!set) this.#watchers.set(taskId, (set = new Set()));
    const own = set;
    const entry: Watcher = (meta) => watcher(meta);
    own.add(entry);
    return () => {
      own.delete(entry);
      if (own.size === 0 && this.#watchers.get(taskId) === own) this.#watchers.delete(taskId);
    };
  }

  #evict(): void {
    if (this.#latest.size <= this.#max) return;
    for (const taskId of this.#latest.keys()) {
      if (this.#latest.size <= this.#max) break;
      if (this.#watchers.has(taskId)) continue;
      this.#latest.delete(taskId);
      if (!this.#warnedFull) {
        this.#warnedFull = true;
        this.#log().warn(
          { maxBuffered: this.#max },
          `rpc backend: more than ${this.#max} task results received and kept; the oldest are dropped (raise maxBuffered, or forget() results once read)`,
        );
      }
    }
  }
}
