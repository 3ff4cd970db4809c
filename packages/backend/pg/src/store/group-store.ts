/**
 * `celery_tasksetmeta` rows: q's saved groups. Celery pickles a `GroupResult` *object* there (its class, and the
 * backend with its URL, inside the pickle), which q refuses to unpickle; q stores the plain result tuple
 * (`[[group_id, parent], [member tuples…]]`) as a pickled list instead. So q restores the groups q saved, and a
 * Python client restoring a group q saved gets that list rather than a `GroupResult`: group save/restore does not
 * cross languages on this backend (task states and chords do).
 */
import { sql } from 'kysely';
import { BackendError, QError } from '@q/core';
import { decodePickle, encodePickle } from '../pickle/index.js';
import { ident, regclassText } from '../schema/table-refs.js';
import type { SqlRunner } from './sql-runner.js';

/** See the module comment. */
export class GroupStore {
  readonly #sql: SqlRunner;

  constructor(runner: SqlRunner) {
    this.#sql = runner;
  }

  /** Save (or replace) a group's result tuple. */
  async save(groupId: string, resultTuple: unknown): Promise<void> {
    const bytes = encodePickle(resultTuple);
    const { refs } = this.#sql;
    await this.#sql.affected(
      'saving a group',
      sql`INSERT INTO ${ident(refs.group)} AS g (id, taskset_id, result, date_done)
        VALUES (nextval(${regclassText(refs.groupSequence)}::regclass), ${groupId}, ${bytes}, now() AT TIME ZONE 'utc')
        ON CONFLICT (taskset_id) DO UPDATE SET result = EXCLUDED.result, date_done = EXCLUDED.date_done`,
    );
  }

  /** The saved result tuple, or `null`. @throws BackendError `Q_ERR_BACKEND_UNSUPPORTED` for a group Python saved. */
  async restore(groupId: string): Promise<unknown | null> {
    const rows = await this.#sql.rows('restoring a group', sql<{ result: Uint8Array | null }>`SELECT result FROM ${ident(this.#sql.refs.group)} WHERE taskset_id = ${groupId}`);
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
    await this.#sql.affected('deleting a group', sql`DELETE FROM ${ident(this.#sql.refs.group)} WHERE taskset_id = ${groupId}`);
  }
}
