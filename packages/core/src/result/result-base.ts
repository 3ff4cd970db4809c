/**
 * What every result handle shares (Celery's `ResultBase`): the narrow {@link ResultHost} a result reads the app
 * through, the options of a wait, and the {@link ResultBase} interface that `AsyncResult` and `GroupResult` both
 * implement, so a `ResultSet`, a group's members, a parent chain and `collect()` can hold either without importing
 * the other.
 */
import type { ResultBackend, TaskMeta } from '../contracts/result-backend.js';
import type { ResultTuple } from '../protocol/result-document.js';

/** What a result needs from the app. */
export interface ResultHost {
  /**
   * The app's result settings a handle reads: `result.pollInterval` (seconds between polls of a backend without
   * push) and `result.expires` (seconds a saved group result is kept; `null`: forever).
   */
  readonly conf: { readonly result: { readonly pollInterval: number; readonly expires: number | null } };
  /** The backend, or `null` when results are disabled (`backend: null`). */
  getBackend(): Promise<ResultBackend | null>;
  /** Aborts when the host closes its connections: a `get()` waiting then rejects with the abort reason. */
  readonly closeSignal?: AbortSignal;
  /** Remote control (the app's `control`): what `revoke()` broadcasts through. */
  readonly control?: RevokeHost;
}

/** What a result's `revoke()` needs: the app's `control.revoke`. */
export interface RevokeHost {
  revoke(
    ids: string | readonly string[],
    options: { terminate?: boolean; signal?: string; reply?: boolean; timeout?: number },
  ): Promise<unknown>;
}

/** Options of `revoke()` on a result (Celery's `AsyncResult.revoke` keyword arguments). */
export interface ResultRevokeOptions {
  /** Also end the task if a worker is running it (default false). */
  terminate?: boolean;
  /** The signal that ends it, by name (default `SIGTERM`). */
  signal?: string;
  /** Wait for the workers' replies (default false): the call then resolves after `timeout` or once every worker answered. */
  wait?: boolean;
  /** Seconds to wait for replies with `wait` (default 1). */
  timeout?: number;
}

/** Options of every wait: `AsyncResult.get`, `ResultSet.join`, `GroupResult.get`. */
export interface WaitOptions {
  /** Seconds to wait before throwing a `TimeoutError` (default: forever). For a set, the whole join's budget. */
  timeout?: number;
  /**
   * Throw the task's error for FAILURE/REVOKED (default true); `false` returns it instead, as a `RemoteError`
   * (so `get()` is then typed `Promise<T | RemoteError>`).
   */
  propagate?: boolean;
  /** Poll interval in seconds for backends without push (default `result.pollInterval`). */
  interval?: number;
  /** Abort the wait. */
  signal?: AbortSignal;
  /**
   * Called with every state document the wait observes, once per state change (Celery's `on_message`): each
   * watched message with push, each poll whose state or result differs from the last one otherwise. A set's join
   * calls it for every member's changes. Not called for a task with nothing stored (PENDING). An error it throws
   * fails the wait.
   */
  onMessage?: (meta: TaskMeta) => void;
}

/** Whether a handle is one task's result (`AsyncResult`) or a group's (`GroupResult`). */
export type ResultKind = 'task' | 'group';

/**
 * A result with an id: one task's (`AsyncResult`) or a group's (`GroupResult`). Members of a result set, parents and
 * children are typed as this interface.
 */
export interface ResultBase<T = unknown> {
  /** `task` for an `AsyncResult`, `group` for a `GroupResult`. */
  readonly kind: ResultKind;
  /** The task id or group id. */
  readonly id: string;
  /** The result of the task (or group) this one was chained after or sent from, when known. */
  readonly parent: ResultBase | null;
  /** True once the task (every member) is SUCCESS, FAILURE or REVOKED. */
  ready(): Promise<boolean>;
  /** True when the task (every member) is SUCCESS. */
  successful(): Promise<boolean>;
  /** True when the task (any member) is FAILURE. */
  failed(): Promise<boolean>;
  /** Waits for the value, returning the error instead of throwing it. */
  get(options: WaitOptions & { propagate: false }): Promise<unknown>;
  /** Waits for the value (throws the task's error for FAILURE/REVOKED). */
  get(options?: WaitOptions & { propagate?: true }): Promise<T>;
  /** Waits for the value. */
  get(options: WaitOptions): Promise<unknown>;
  /**
   * Throws the stored error when the task is FAILURE or REVOKED (a group: its first such member, in order); does
   * nothing otherwise, also when not ready (Celery's `maybe_throw`).
   */
  maybeThrow(): Promise<void>;
  /** Results of tasks this one sent (a task's stored `children`), or a group's members. */
  children(): Promise<ResultBase[]>;
  /** Removes the stored result(s). */
  forget(): Promise<void>;
  /** Celery's result tuple: `[[id, parentTuple | null], null]` for a task, `[[gid, parent], [members…]]` for a group. */
  asTuple(): ResultTuple;
}
