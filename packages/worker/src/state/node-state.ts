/**
 * What a worker node remembers besides its parts (Celery's `celery.worker.state`): the revoked task ids, with
 * Celery's limits, the logical clock, and the jobs handed to the pool (for revokes with `terminate`). Saved
 * across restarts by the state db (`state-db.ts`) when the worker has one, and the revoked ids in the result
 * backend (`shared-revokes-step.ts`), which hears of each revoke through {@link NodeState.onRevoke}.
 */
import { LamportClock } from './lamport-clock.js';
import { LimitedSet } from './limited-set.js';
import { RunningTasks } from './running-tasks.js';

/** Celery's `REVOKES_MAX`: revoked ids kept. */
export const REVOKES_MAX = 50_000;
/** Celery's `REVOKE_EXPIRES`: seconds a revoked id is kept once the set is purged (3 h). */
export const REVOKE_EXPIRES = 10_800;

/** Options of a {@link NodeState}. */
export interface NodeStateOptions {
  revokesMax?: number;
  revokeExpires?: number;
  /** Now in seconds since the epoch (tests). */
  now?: () => number;
}

/**
 * Told of the ids a revoke on this node added ({@link NodeState.revoke}), and when (epoch ms). Not told of ids merged
 * from elsewhere (a state db, mingle, the result backend).
 */
export type RevokeListener = (ids: readonly string[], at: number) => void;

/** A worker's node state; see the module comment. */
export class NodeState {
  /** Revoked task ids (Celery's `state.revoked`). */
  readonly revoked: LimitedSet<string>;
  /** The node's logical clock (Celery's `app.clock`). */
  readonly clock = new LamportClock();
  /** Jobs handed to the pool, by task id. */
  readonly running = new RunningTasks();
  /** Bumped on every change to the revoked ids (the state db saves when it moved). */
  revision = 0;
  readonly #revokeListeners = new Set<RevokeListener>();
  readonly #nowMs: () => number;

  constructor(options: NodeStateOptions = {}) {
    const limits = { maxlen: options.revokesMax ?? REVOKES_MAX, expires: options.revokeExpires ?? REVOKE_EXPIRES };
    this.revoked = new LimitedSet<string>(options.now ? { ...limits, now: options.now } : limits);
    const now = options.now;
    this.#nowMs = now ? () => now() * 1000 : Date.now;
  }

  /** Whether `taskId` was revoked. */
  isRevoked(taskId: string): boolean {
    return this.revoked.has(taskId);
  }

  /** Revoke `ids` on this node (`worker.revoke`): add them to {@link revoked} now, and tell the revoke listeners. */
  revoke(ids: readonly string[]): void {
    this.revoked.update(ids);
    this.revision += 1;
    if (ids.length === 0 || this.#revokeListeners.size === 0) return;
    const at = this.#nowMs();
    for (const listener of this.#revokeListeners) listener(ids, at);
  }

  /** Call `listener` on each {@link revoke} from now on; returns the function that stops it. */
  onRevoke(listener: RevokeListener): () => void {
    const own: RevokeListener = (ids, at) => listener(ids, at);
    this.#revokeListeners.add(own);
    return () => {
      this.#revokeListeners.delete(own);
    };
  }
}
