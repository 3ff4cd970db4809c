/**
 * Native chords (`chords: 'native'`, q's own; Celery's database backend has only `celery.chord_unlock`): one row
 * per chord in the chord table. The client writes the header size (`setChordSize`); each header task, after its
 * state, adds its part in a single `INSERT … ON CONFLICT DO UPDATE … RETURNING` — the row lock makes the counts
 * of concurrent parts strictly increasing, so exactly one part sees the count reach the size, and it receives
 * every part, which it sorts by group index and deletes.
 */
import { sql } from 'kysely';
import type { ChordPart, ChordProgress, StoreOptions, TaskMeta } from '@q/core/adapter';
import { pyJsonStringify } from '@q/core/adapter';
import { ident } from '../schema/table-refs.js';
import type { SqlRunner } from '../store/sql-runner.js';

/** One header task's part as kept in the `parts` array. */
interface StoredPart {
  i: number | null;
  id: string;
  status: string;
  result: unknown;
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
    const stored: StoredPart = { i: part.groupIndex, id: part.taskId, status: part.meta.status, result: part.meta.result };
    const json = `[${pyJsonStringify(stored)}]`;
    const rows = await this.#sql.rows(
      'recording a chord part',
      sql<{ done: number; size: number | null; parts: StoredPart[] }>`
        INSERT INTO ${ident(this.#sql.refs.chord)} AS c (group_id, size, done, parts)
        VALUES (${part.groupId}, ${part.chordSize ?? null}, 1, ${json}::jsonb)
        ON CONFLICT (group_id) DO UPDATE SET done = c.done + 1, parts = c.parts || EXCLUDED.parts, size = coalesce(c.size, EXCLUDED.size)
        RETURNING done, size, CASE WHEN done >= size THEN parts END AS parts`,
    );
    const row = rows[0];
    if (row === undefined || row.size === null || row.done < row.size) return { complete: false };
    if (row.done > row.size) {
      this.#sql.logger.warn({ groupId: part.groupId, done: row.done, size: row.size }, 'chord counter incremented too many times');
      return { complete: false };
    }
    await this.#sql.affected('deleting a finished chord', sql`DELETE FROM ${ident(this.#sql.refs.chord)} WHERE group_id = ${part.groupId}`);
    const order = (p: StoredPart): number => p.i ?? Number.MAX_SAFE_INTEGER;
    const parts = [...row.parts].sort((a, b) => order(a) - order(b));
    const failedPart = parts.find((p) => FAILED.has(p.status));
    const failed = failedPart === undefined ? null : { taskId: failedPart.id, meta: partMeta(failedPart) };
    return { complete: true, results: parts.map((p) => p.result), failed };
  }
}

function partMeta(part: StoredPart): TaskMeta {
  return { taskId: part.id, status: part.status, result: part.result, traceback: null, children: [], dateDone: null };
}
