/**
 * Where `bench:pg` keeps results: PostgreSQL `test` (`PG_BENCH_URL` for another server), schema `q_bench_pg`, and the
 * q backend the bench's q processes and harness open on it. Kept apart from `pg-broker.ts` so the q worker's bundle
 * holds no harness code.
 */
import { pgBackend, type PgBackend } from '@q/backend-pg';

/** The bench's schema: created and dropped by the bench, nothing else lives in it. */
export const PG_SCHEMA = 'q_bench_pg';
/** The server and database (trust authentication). */
export const PG_SERVER = process.env['PG_BENCH_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/test';
/**
 * `PG_BENCH_SYNC_COMMIT=off`, an experiment (not the reported configuration): both systems' connections run with
 * `synchronous_commit = off`, so a commit does not wait for its WAL to reach the disk — what that wait costs.
 */
const SYNC_COMMIT = process.env['PG_BENCH_SYNC_COMMIT'] === 'off' ? '%20-csynchronous_commit%3Doff' : '';
/** The result backend URL both systems get (Celery reads `db+postgresql://`, q all of Celery's forms). */
export const PG_RESULT_URL = `db+${PG_SERVER}?options=-csearch_path%3D${PG_SCHEMA}${SYNC_COMMIT}`;
/**
 * q's backend as the bench runs it: default options but the schema named. Named because kysely's Migrator, given no
 * `migrationTableSchema`, takes a table of the same name in ANY schema of the database for its own (`#doesTableExist`
 * over `introspection.getTables()`), so with a `search_path` alone q's migrations fail when another schema (a test
 * suite's) already holds `celery_taskmeta_q_migration_lock`.
 */
export function pgQBackend(url: string): PgBackend {
  return pgBackend({ url, tableSchemas: { task: PG_SCHEMA, group: PG_SCHEMA } });
}

