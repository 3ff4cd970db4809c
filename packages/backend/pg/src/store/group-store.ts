/**
 * `celery_tasksetmeta` rows: q's saved groups. Celery pickles a `GroupResult` *object* there (its class, and the
 * backend with its URL, inside the pickle), which q refuses to unpickle; q stores the plain result tuple
 * (`[[group_id, parent], [member tuples…]]`) as a pickled list instead. So q restores the groups q saved, and a
 * Python client restoring a group q saved gets that list rather than a `GroupResult`: group save/restore does not
 * cross languages on this backend (task states and chords do).
 */
import { sql, type Kysely } from 'kysely';
import { BackendError, QError } from '@q/core';
import { decodePickle, encodePickle } from '../pickle/index.js';
import { ident, regclassText, type TableRefs } from '../schema/table-refs.js';
import { withPgRetry, type PgRetryOptions } from './pg-retry.js';

/** See the module comment. */
export class GroupStore {
  readonly #db: Kysely<unknown>;
  readonly #refs: TableRefs;
  readonly #retry: PgRetryOptions;

  constructor(db: Kysely<unknown>, refs: TableRefs, retry: PgRetryOptions) {
    this.#db = db;
    this.#refs = refs;
    this.#retry = retry;
  }

  /** Save (or replace) a group's result tuple. */
  async save(groupId: string, resultTuple: unknown): Promise<void> {
    const bytes = encodePickle(resultTuple);
    await withPgRetry(
      'saving a group',
      () => sql`INSERT INTO ${ident(this.#refs.group)} AS g (id, taskset_id, result, date_done)
        VALUES (nextval(${regclassText(this.#refs.groupSequence)}::regclass), ${groupId}, ${bytes}, now() AT TIME ZONE 'utc')
        ON CONFLICT (taskset_id) DO UPDATE SET result = EXCLUDED.result, date_done = EXCLUDED.date_done`.execute(this.#db),
      this.#retry,
    );
  }

  /** The saved result tuple, or `null`. @throws BackendError `Q_ERR_BACKEND_UNSUPPORTED` for a group Python saved. */
  async restore(groupId: string): Promise<unknown | null> {
    const { rows } = await withPgRetry(
      'restoring a group',
      () => sql<{ result: Uint8Array | null }>`SELECT result FROM ${ident(this.#refs.group)} WHERE taskset_id = ${groupId}`.execute(this.#db),
      this.#retry,
    );
    const row = rows[0];
    if (row === undefined || row.result === null) return null;
    try {
      return decodePickle(row.result);
    } catch (err) {
      if (err instanceof QError && err.code === 'Q_ERR_PICKLE_UNSAFE') {
        throw new BackendError(
          'Q_ERR_BACKEND_UNSUPPORTED',
          `group ${groupId} was saved by Python Celery (a pickled GroupResult object); q restores only the groups it saved itself`,
          { cause: err },
        );
      }
      throw err;
    }
  }

  /** Delete a saved group. */
  async delete(groupId: string): Promise<void> {
    await withPgRetry('deleting a group', () => sql`DELETE FROM ${ident(this.#refs.group)} WHERE taskset_id = ${groupId}`.execute(this.#db), this.#retry);
  }
}
