/**
 * `EagerGroupResult<T>`: the result of a group run in the calling process (Celery's `group.apply()` gives a
 * `GroupResult` of `EagerResult`s). A {@link GroupResult} (same methods and types) whose members' states are known
 * already: `ready`, `get`/`join`, `completedCount`, … ask the members themselves instead of reading a backend, and
 * nothing waits. `save()`/`delete()` still go to the backend (a group's document holds only its members' ids).
 */
import { GroupResult } from '../result/group-result.js';
import type { ResultBase, ResultHost, ResultRevokeOptions } from '../result/result-base.js';
import type { JoinOptions, ResultMembers, SettledValues } from '../result/result-set.js';

/** The result of an eager group: see the module comment. */
export class EagerGroupResult<T extends unknown[] = unknown[]> extends GroupResult<T> {
  /**
   * @param id The group id.
   * @param results The members' results (eager ones), in order.
   * @param host The app.
   * @param parent The result this group was chained after, when known.
   */
  constructor(id: string, results: ResultMembers<T>, host: ResultHost, parent: ResultBase | null = null) {
    super(id, results, host, parent);
  }

  get #members(): ResultBase[] {
    return [...(this.results as ResultBase[])];
  }

  /** True once every member is SUCCESS, FAILURE or REVOKED. */
  override async ready(): Promise<boolean> {
    return (await Promise.all(this.#members.map((m) => m.ready()))).every(Boolean);
  }

  /** True when every member is SUCCESS. */
  override async successful(): Promise<boolean> {
    return (await Promise.all(this.#members.map((m) => m.successful()))).every(Boolean);
  }

  /** True when any member is FAILURE. */
  override async failed(): Promise<boolean> {
    return (await Promise.all(this.#members.map((m) => m.failed()))).some(Boolean);
  }

  /** How many members are SUCCESS. */
  override async completedCount(): Promise<number> {
    return (await Promise.all(this.#members.map((m) => m.successful()))).filter(Boolean).length;
  }

  /** Throws the error of the first member, in order, that is FAILURE or REVOKED. */
  override async maybeThrow(): Promise<void> {
    for (const m of this.#members) await m.maybeThrow();
  }

  /** Marks every member REVOKED, here only (see `EagerResult.revoke`). */
  override async revoke(options: ResultRevokeOptions = {}): Promise<void> {
    await Promise.all(this.#members.map((m) => (m as ResultBase & { revoke(o: ResultRevokeOptions): Promise<void> }).revoke(options)));
  }

  /** Nothing to remove (the members are eager results). */
  override forget(): Promise<void> {
    return Promise.resolve();
  }

  /** Same as {@link EagerGroupResult.join}. */
  override get(options: JoinOptions & { propagate: false }): Promise<SettledValues<T>>;
  override get(options?: JoinOptions & { propagate?: true }): Promise<T>;
  override get(options: JoinOptions): Promise<T | SettledValues<T>>;
  override get(options: JoinOptions = {}): Promise<T | SettledValues<T>> {
    return this.join(options);
  }

  /**
   * The members' values in order, at once. With `propagate` (the default) the first failed member's error is
   * thrown (the task's error itself); with `propagate: false` each failure is a `RemoteError` in its place.
   */
  override join(options: JoinOptions & { propagate: false }): Promise<SettledValues<T>>;
  override join(options?: JoinOptions & { propagate?: true }): Promise<T>;
  override join(options: JoinOptions): Promise<T | SettledValues<T>>;
  override async join(options: JoinOptions = {}): Promise<T | SettledValues<T>> {
    const wait: JoinOptions = { ...options, propagate: options.propagate ?? true };
    const values: unknown[] = [];
    for (const m of this.#members) values.push(await m.get(wait));
    return values as T;
  }
}
