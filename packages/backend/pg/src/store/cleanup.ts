/**
 * Deleting expired results, as Celery's `DatabaseBackend.cleanup()` (run by the `celery.backend_cleanup` task that
 * beat schedules daily): task states and groups whose `date_done` is older than `result_expires`; also chord rows
 * of q's native chords older than that (a chord whose header never finished).
 */
import { sql } from 'kysely';
import { ident } from '../schema/table-refs.js';
import type { SqlRunner } from './sql-runner.js';

/** How many rows a cleanup deleted. */
export interface CleanupReport {
  /** Rows deleted in all. */
  deleted: number;
  tasks: number;
  groups: number;
  chords: number;
}

/** Delete what is older than `expiresMs`. */
export async function deleteExpired(runner: SqlRunner, expiresMs: number): Promise<CleanupReport> {
  const { refs } = runner;
  const seconds = Math.max(0, expiresMs) / 1000;
  const cutoff = sql`(now() AT TIME ZONE 'utc') - make_interval(secs => ${seconds})`;
  const tasks = await runner.affected('deleting expired results', sql`DELETE FROM ${ident(refs.task)} WHERE date_done < ${cutoff}`);
  const groups = await runner.affected('deleting expired groups', sql`DELETE FROM ${ident(refs.group)} WHERE date_done < ${cutoff}`);
  const chords = await runner.affected('deleting expired chords', sql`DELETE FROM ${ident(refs.chord)} WHERE created < ${cutoff}`);
  await runner.affected('deleting expired chord parts', sql`DELETE FROM ${ident(refs.chordPart)} WHERE created < ${cutoff}`);
  await runner.affected('deleting expired revoked ids', sql`DELETE FROM ${ident(refs.revoked)} WHERE expires_at < ${Date.now()}::bigint`);
  return { deleted: tasks + groups + chords, tasks, groups, chords };
}
