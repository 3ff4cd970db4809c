/**
 * Reading and writing `celery_taskmeta` rows. Every state stored in one turn of the event loop goes out as one
 * statement: an `INSERT … ON CONFLICT (task_id) DO UPDATE` over `unnest`ed arrays, which takes the row id from
 * the task sequence (`nextval`, as Celery does), updates the row in place, never replaces a stored SUCCESS, and
 * notifies each task's channel (`pg_notify`, delivered at commit) with the state as Celery's JSON result document
 * when it fits in a notification ({@link NOTIFY_PAYLOAD_MAX}; else an empty payload, and the listener reads the row):
 * a watcher receives each state stored, without a read. Both statements run as named prepared statements
 * (`prepared-runner.ts`).
 * Several states of one task in a batch keep Celery's order: the last one wins, unless a SUCCESS came first.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Logger, TaskMeta } from '@q/core';
import { TickBatcher, encodeResultDocument } from '@q/core/adapter';
import { ident, regclassText, type TableRefs } from '../schema/table-refs.js';
import { withPgRetry, type PgRetryOptions } from './pg-retry.js';
import type { PreparedRunner } from './prepared-runner.js';
import { fromTaskRow, toTaskRow, type StoredTaskRow, type TaskColumns, type TaskRow } from './result-row.js';

const BASE = ['task_id', 'status', 'result', 'date_done', 'traceback'] as const;
const EXTENDED = ['name', 'args', 'kwargs', 'worker', 'retries', 'queue'] as const;
const TYPES: Record<keyof TaskRow, string> = {
  task_id: 'text[]', status: 'text[]', result: 'bytea[]', date_done: 'timestamp[]', traceback: 'text[]',
  name: 'text[]', args: 'bytea[]', kwargs: 'bytea[]', worker: 'text[]', retries: 'int4[]', queue: 'text[]', q_meta: 'jsonb[]',
};

/** The largest state document sent in a notification (PostgreSQL's payload limit is 8000 bytes). */
export const NOTIFY_PAYLOAD_MAX = 7900;

interface PendingWrite {
  row: TaskRow;
  /** The notification payload: the JSON result document, or `''` when too large. */
  payload: string;
  onSkipped: () => void;
}

/** The rows of a batch to write: per task the last state, unless a SUCCESS came before it (kept). */
export function collapseBatch(items: readonly PendingWrite[]): PendingWrite[] {
  const byTask = new Map<string, PendingWrite>();
  for (const item of items) {
    const earlier = byTask.get(item.row.task_id);
    if (earlier?.row.status === 'SUCCESS') {
      item.onSkipped();
      continue;
    }
    byTask.delete(item.row.task_id);
    byTask.set(item.row.task_id, item);
  }
  return [...byTask.values()];
}

/** The task table's rows for a backend. */
export class TaskStore {
  readonly #db: Kysely<unknown>;
  readonly #refs: TableRefs;
  readonly #fields: (keyof TaskRow)[];
  readonly #columns: TaskColumns;
  readonly #retry: PgRetryOptions;
  readonly #logger: Logger;
  readonly #writes: TickBatcher<PendingWrite>;
  readonly #run: PreparedRunner;

  constructor(db: Kysely<unknown>, run: PreparedRunner, refs: TableRefs, columns: TaskColumns, retry: PgRetryOptions) {
    this.#db = db;
    this.#run = run;
    this.#refs = refs;
    this.#columns = columns;
    this.#retry = retry;
    this.#logger = retry.logger;
    this.#fields = [...BASE, ...(columns.extended ? EXTENDED : []), ...(columns.qMeta ? (['q_meta'] as const) : [])];
    this.#writes = new TickBatcher((items) => this.#flush(items), 500);
  }

  /** Store `meta` (with the other states of this turn). Resolves once written. */
  store(meta: TaskMeta): Promise<void> {
    const row = toTaskRow(meta);
    const onSkipped = (): void => this.#logger.debug({ taskId: meta.taskId, state: meta.status }, 'result already SUCCESS: not overwritten');
    const document = encodeResultDocument(meta);
    const payload = document.length <= NOTIFY_PAYLOAD_MAX / 3 || Buffer.byteLength(document) <= NOTIFY_PAYLOAD_MAX ? document : '';
    return this.#writes.add({ row, payload, onSkipped });
  }

  /** Wait for the writes under way. */
  drain(): Promise<void> {
    return this.#writes.drain();
  }

  async #flush(items: readonly PendingWrite[]): Promise<readonly unknown[]> {
    const batch = collapseBatch(items);
    const statement = this.#upsert(batch).compile(this.#db);
    const stored = await withPgRetry(`storing ${batch.length} result(s)`, () => this.#run(statement), this.#retry);
    const written = new Set(stored.map((r) => r.task_id));
    for (const item of batch) if (!written.has(item.row.task_id)) item.onSkipped();
    return [];
  }

  #upsert(batch: readonly PendingWrite[]): RawBuilder<{ task_id: string }> {
    const fields = this.#fields;
    const arrays = sql.join([
      ...fields.map((f) => sql`${batch.map((b) => b.row[f])}::${sql.raw(TYPES[f])}`),
      sql`${batch.map((b) => b.payload)}::text[]`,
    ]);
    const names = sql.join(fields.map((f) => sql.id(f)));
    const updates = sql.join(fields.filter((f) => f !== 'task_id').map((f) => sql`${sql.id(f)} = EXCLUDED.${sql.id(f)}`));
    return sql<{ task_id: string }>`
      WITH input AS (SELECT * FROM unnest(${arrays}) AS i(${names}, q_payload)),
      stored AS (
        INSERT INTO ${ident(this.#refs.task)} AS m (id, ${names})
        SELECT nextval(${regclassText(this.#refs.taskSequence)}::regclass), ${names} FROM input
        ON CONFLICT (task_id) DO UPDATE SET ${updates}
        WHERE m.status IS DISTINCT FROM 'SUCCESS'
        RETURNING m.task_id
      )
      SELECT stored.task_id, pg_notify('q_' || md5(stored.task_id), input.q_payload)
      FROM stored JOIN input ON input.task_id = stored.task_id`;
  }

  /** The stored metas of `ids`, in order, `null` where nothing is stored. */
  async read(ids: readonly string[]): Promise<(TaskMeta | null)[]> {
    if (ids.length === 0) return [];
    const extra = [...(this.#columns.extended ? EXTENDED : []), ...(this.#columns.qMeta ? ['q_meta'] : [])];
    const columns = sql.join([sql`task_id, status, result, date_done::text AS date_done, traceback`, ...extra.map((c) => sql.id(c))]);
    const statement = sql<StoredTaskRow>`SELECT ${columns} FROM ${ident(this.#refs.task)} WHERE task_id = ANY(${[...ids]}::text[])`.compile(this.#db);
    const rows = await withPgRetry('reading results', () => this.#run(statement), this.#retry);
    const byId = new Map(rows.map((row) => [row.task_id, row]));
    return ids.map((id) => {
      const row = byId.get(id);
      return row === undefined ? null : fromTaskRow(row, this.#columns);
    });
  }

  /** Delete a task's row (`forget`). */
  async forget(taskId: string): Promise<void> {
    await withPgRetry('forgetting a result', () => sql`DELETE FROM ${ident(this.#refs.task)} WHERE task_id = ${taskId}`.execute(this.#db), this.#retry);
  }
}
