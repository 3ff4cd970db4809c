/**
 * Native chords (`chords: 'native'`, q's own; Celery's database backend has only `celery.chord_unlock`): a counter
 * row per chord in the chord table and a row per header task in the parts table. The client writes the header size
 * (`setChordSize`); each header task, after its state, runs one statement that inserts its part (once: a
 * redelivered header task's second report inserts nothing and counts nothing) and, only if it did, counts it with
 * `INSERT … ON CONFLICT DO UPDATE SET done = done + 1 … RETURNING`. The counter row's lock makes the counts of
 * concurrent parts strictly increasing, and a part's row commits with its count, so exactly one part sees the count
 * reach the size, when every other part is committed: it reads them in group order and deletes the chord.
 */
import { sql } from 'kysely';
import type { ChordPart, ChordProgress, StoreOptions, TaskMeta } from '@q/core/adapter';
import { pyJsonParse, pyJsonStringify } from '@q/core/adapter';
import { ident } from '../schema/table-refs.js';
import type { SqlRunner } from '../store/sql-runner.js';

/** One header task's part as stored. */
interface StoredPart {
  task_id: string;
  status: string;
  /** Python-formatted JSON of the task's result. */
  result: string | null;
}

const FAILED = new Set(['FAILURE', 'REVOKED']);

/** See the module comment. */
export class NativeChords {
  readonly #sql: SqlRunner;

  constructor(runner: SqlRunner) {
    this.#sql = runner;
  }

  /** Write the header size before the last header task is sent. */
  async setChordSize(groupId: string, size: number, _options: StoreOptions): Promise<void> {
    await this.#sql.affected(
      'writing a chord size',
      sql`INSERT INTO ${ident(this.#sql.refs.chord)} (group_id, size) VALUES (${groupId}, ${size})
        ON CONFLICT (group_id) DO UPDATE SET size = EXCLUDED.size`,
    );
  }

  /** Record a finished header task; `complete` for the last one. */
  async onChordPartReturn(part: ChordPart): Promise<ChordProgress> {
    const { refs } = this.#sql;
    const rows = await this.#sql.rows(
      'recording a chord part',
      sql<{ done: number; size: number | null }>`
        WITH part AS (
          INSERT INTO ${ident(refs.chordPart)} (group_id, group_index, task_id, status, result)
          VALUES (${part.groupId}, ${part.groupIndex}, ${part.taskId}, ${part.meta.status}, ${pyJsonStringify(part.meta.result)})
          ON CONFLICT (group_id, task_id) DO NOTHING
          RETURNING 1
        )
        INSERT INTO ${ident(refs.chord)} AS c (group_id, size, done)
        SELECT ${part.groupId}, ${part.chordSize ?? null}::integer, 1 FROM part
        ON CONFLICT (group_id) DO UPDATE SET done = c.done + 1, size = coalesce(c.size, EXCLUDED.size)
        RETURNING done, size`,
    );
    const row = rows[0];
    if (row === undefined) {
      this.#sql.logger.warn({ groupId: part.groupId, taskId: part.taskId }, 'chord part reported twice (a redelivered header task): counted once');
      return { complete: false };
    }
    if (row.size === null || row.done < row.size) return { complete: false };
    if (row.done > row.size) {
      this.#sql.logger.warn({ groupId: part.groupId, done: row.done, size: row.size }, 'chord counter incremented too many times');
      return { complete: false };
    }
    const parts = await this.#sql.rows(
      'reading a finished chord',
      sql<StoredPart>`SELECT task_id, status, result FROM ${ident(refs.chordPart)} WHERE group_id = ${part.groupId} ORDER BY group_index NULLS LAST, id`,
    );
    await this.#sql.affected(
      'deleting a finished chord',
      sql`WITH gone AS (DELETE FROM ${ident(refs.chordPart)} WHERE group_id = ${part.groupId})
        DELETE FROM ${ident(refs.chord)} WHERE group_id = ${part.groupId}`,
    );
    const results = parts.map((p) => (p.result === null ? null : pyJsonParse(p.result)));
    const failedAt = parts.findIndex((p) => FAILED.has(p.status));
    const failedPart = parts[failedAt];
    const failed = failedPart === undefined ? null : { taskId: failedPart.task_id, meta: partMeta(failedPart, results[failedAt]) };
    return { complete: true, results, failed };
  }
}

function partMeta(part: StoredPart, result: unknown): TaskMeta {
  return { taskId: part.task_id, status: part.status, result, traceback: null, children: [], dateDone: null };
}
