/**
 * The backend's schema as kysely migrations: Celery's tables and sequences exactly as Celery 5.2.6 creates them on
 * PostgreSQL (`CREATE … IF NOT EXISTS`, so tables Celery made are left as they are), with the extended columns
 * (`result_extended`) and q's `q_meta` column (children, group and parent ids, which Celery's tables have no place
 * for) on tables q creates; then q's chord counters. Migrations run under kysely's lock, so workers starting
 * together create everything once.
 */
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { BackendError } from '@q/core';
import { ident, type TableRefs } from './table-refs.js';

function celeryTables(refs: TableRefs): Migration {
  return {
    async up(db) {
      for (const schema of new Set([refs.task.schema, refs.group.schema])) {
        if (schema !== null) await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(schema)}`.execute(db);
      }
      await sql`CREATE SEQUENCE IF NOT EXISTS ${ident(refs.taskSequence)} START WITH 1 INCREMENT BY 1`.execute(db);
      await sql`CREATE SEQUENCE IF NOT EXISTS ${ident(refs.groupSequence)} START WITH 1 INCREMENT BY 1`.execute(db);
      await sql`CREATE TABLE IF NOT EXISTS ${ident(refs.task)} (
        id integer NOT NULL PRIMARY KEY,
        task_id character varying(155) UNIQUE,
        status character varying(50),
        result bytea,
        date_done timestamp without time zone,
        traceback text,
        name character varying(155),
        args bytea,
        kwargs bytea,
        worker character varying(155),
        retries integer,
        queue character varying(155),
        q_meta jsonb
      )`.execute(db);
      await sql`CREATE TABLE IF NOT EXISTS ${ident(refs.group)} (
        id integer NOT NULL PRIMARY KEY,
        taskset_id character varying(155) UNIQUE,
        result bytea,
        date_done timestamp without time zone
      )`.execute(db);
    },
  };
}

function chordTable(refs: TableRefs): Migration {
  return {
    async up(db) {
      await sql`CREATE TABLE IF NOT EXISTS ${ident(refs.chord)} (
        group_id character varying(155) NOT NULL PRIMARY KEY,
        size integer,
        done integer NOT NULL DEFAULT 0,
        parts jsonb NOT NULL DEFAULT '[]'::jsonb,
        created timestamp without time zone NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
      )`.execute(db);
    },
  };
}

function revokedTable(refs: TableRefs): Migration {
  return {
    async up(db) {
      await sql`CREATE TABLE IF NOT EXISTS ${ident(refs.revoked)} (
        task_id character varying(155) NOT NULL PRIMARY KEY,
        revoked_at bigint NOT NULL,
        expires_at bigint NOT NULL
      )`.execute(db);
    },
  };
}

/** The migrations, in order (names sort in that order). */
export function backendMigrations(refs: TableRefs): Record<string, Migration> {
  return { '0001_celery_tables': celeryTables(refs), '0002_q_chords': chordTable(refs), '0003_q_revoked': revokedTable(refs) };
}

/** Bring the schema up to date. @throws BackendError `Q_ERR_BACKEND_FAILED` naming the migration that failed. */
export async function migrate(db: Kysely<unknown>, refs: TableRefs): Promise<void> {
  const provider: MigrationProvider = { getMigrations: () => Promise.resolve(backendMigrations(refs)) };
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: refs.migrations.name,
    migrationLockTableName: refs.migrationLock.name,
    ...(refs.migrations.schema === null ? {} : { migrationTableSchema: refs.migrations.schema }),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'the migration bookkeeping';
    throw new BackendError('Q_ERR_BACKEND_FAILED', `PostgreSQL result backend: could not create its tables (${failed}): ${String(error)}`, { cause: error });
  }
}

/** The columns of a table, as PostgreSQL reports them (tables Celery made have no `q_meta`, maybe no extended ones). */
export async function tableColumns(db: Kysely<unknown>, schema: string | null, name: string): Promise<Set<string>> {
  const { rows } = await sql<{ column_name: string }>`
    SELECT column_name FROM information_schema.columns
    WHERE table_schema = ${schema === null ? sql`current_schema()` : schema} AND table_name = ${name}`.execute(db);
  return new Set(rows.map((r) => r.column_name));
}
