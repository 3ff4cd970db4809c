/**
 * `GroupResult<T>`: the result of a `group` (Celery's `GroupResult`): a {@link ResultSet} with the group's id and
 * parent, saved to and restored from the backend as Celery's `celery-taskset-meta-<gid>` document
 * (`{"result": [[gid, parent], [member tuples…]]}`). Restoring lives with `resultFromTuple` (`restoreGroupResult`),
 * which builds member handles.
 */
import type { ResultBackend } from '../contracts/result-backend.js';
import { BackendError } from '../errors/q-error.js';
import { groupResultTuple, type ResultTuple } from '../protocol/result-document.js';
import type { ResultBase, ResultHost } from './result-base.js';
import { ResultSet, type ResultMembers } from './result-set.js';

/** The result of a group: its members' results in order, under the group's id. */
export class GroupResult<T extends readonly unknown[] = unknown[]> extends ResultSet<T> implements ResultBase<T> {
  /** Always `group`: this is a group's result. */
  readonly kind = 'group' as const;
  /** The group id (`group_id` of every member task). */
  readonly id: string;
  /** The result this group was chained after, when known (`chain(a.s(), group(…))`: `a`'s result). */
  readonly parent: ResultBase | null;
  readonly #host: ResultHost;

  /**
   * @param id The group id.
   * @param results The members' results, in order.
   * @param host Where the results are read from (the app).
   * @param parent The parent result, when known.
   */
  constructor(id: string, results: ResultMembers<T>, host: ResultHost, parent: ResultBase | null = null) {
    super(results, host);
    this.id = id;
    this.parent = parent;
    this.#host = host;
  }

  /** Celery's group result tuple: `[[gid, parentTuple | null], [member tuples…]]`. */
  asTuple(): ResultTuple {
    return groupResultTuple(
      this.id,
      (this.results as ResultBase[]).map((m) => m.asTuple()),
      this.parent?.asTuple() ?? null,
    );
  }

  /** The members (Celery's `GroupResult.children`). */
  children(): Promise<ResultBase[]> {
    return Promise.resolve([...(this.results as ResultBase[])]);
  }

  /**
   * Stores the group so that `restoreGroupResult(app, id)` finds it later (Celery's `save`), as
   * `celery-taskset-meta-<gid>`, kept for `result.expires`.
   * @throws BackendError `Q_ERR_BACKEND_UNSUPPORTED` when the backend cannot store groups;
   *   `Q_ERR_BACKEND_DISABLED` without a backend.
   */
  async save(): Promise<void> {
    const backend = await this.#backend('save');
    const expires = this.#host.conf.result.expires;
    await backend.saveGroup(this.id, this.asTuple(), { expiresMs: expires === null ? null : expires * 1000 });
  }

  /**
   * Removes the saved group document, not the members' results (Celery's `delete`).
   * @throws BackendError as {@link GroupResult.save}.
   */
  async delete(): Promise<void> {
    const backend = await this.#backend('delete');
    await backend.deleteGroup(this.id);
  }

  /**
   * Removes the saved group document (when the backend stores groups) and every member's stored result.
   * @throws BackendError `Q_ERR_BACKEND_DISABLED` without a backend.
   */
  override async forget(): Promise<void> {
    const backend = await this.#host.getBackend();
    if (!backend) throw disabled(this.id, 'forgotten');
    await Promise.all([backend.deleteGroup?.(this.id), super.forget()]);
  }

  /** The group id. */
  override toString(): string {
    return this.id;
  }

  /** `group <gid>`, for messages. */
  protected override describe(): string {
    return `group ${this.id}`;
  }

  async #backend(action: 'save' | 'delete'): Promise<GroupBackend> {
    const backend = await this.#host.getBackend();
    if (!backend) throw disabled(this.id, action === 'save' ? 'saved' : 'deleted');
    if (!backend.saveGroup || !backend.deleteGroup) {
      throw new BackendError('Q_ERR_BACKEND_UNSUPPORTED', `the result backend ${backend.describe()} cannot store group results (to ${action} group ${this.id})`);
    }
    return backend as GroupBackend;
  }
}

/** A backend that stores group results. */
type GroupBackend = ResultBackend & Required<Pick<ResultBackend, 'saveGroup' | 'deleteGroup'>>;

function disabled(groupId: string, done: string): BackendError {
  return new BackendError('Q_ERR_BACKEND_DISABLED', `no result backend is configured (backend: null), so group ${groupId} cannot be ${done}`);
}
