/**
 * Deleting expired results, as Celery's `DatabaseBackend.cleanup()` (run by the `celery.backend_cleanup` task that
 * beat schedules daily): task states and groups whose `date_done` is older than `result_expires`; also chord rows
 * of q's native chords older than that (a chord whose header never finished).
 */
import { sql, type Kysely } from 'kysely';
import { ident, type TableRefs } from '../schema/table-refs.js';
import { withPgRetry, type PgRetryOptions } from './pg-retry.js';

/** How many rows a cleanup deleted. */
export interface CleanupReport {
  /** Rows deleted in all. */
  deleted: number;
  tasks: number;
  groups: number;
  chords: number;
}

/** Delete what is older than `expiresMs`. */
export async function deleteExpired(db: Kysely<unknown>, refs: TableRefs, expiresMs: number, retry: PgRetryOptions): Promise<CleanupReport> {
  const seconds = Math.max(0, expiresMs) / 1000;
  const cutoff = sql`(now() AT TIME ZONE 'utc') - make_interval(secs => ${seconds})`;
  const run = (what: string, statement: ReturnType<typeof sql>): Promise<number> =>
    withPgRetry(what, async () => Number((await statement.execute(db)).numAffectedRows ?? 0n), retry);
  const tasks = await run('deleting expired results', sql`DELETE FROM ${ident(refs.task)} WHERE date_done < ${cutoff}`);
  const groups = await run('deleting expired groups', sql`DELETE FROM ${ident(refs.group)} WHERE date_done < ${cutoff}`);
  const chords = await run('deleting expired chords', sql`DELETE FROM ${ident(refs.chord)} WHERE created < ${cutoff}`);
  await run('deleting expired revoked ids', sql`DELETE FROM ${ident(refs.revoked)} WHERE expires_at < ${Date.now()}::bigint`);
  return { deleted: tasks + groups + chords, tasks, groups, chords };
}
