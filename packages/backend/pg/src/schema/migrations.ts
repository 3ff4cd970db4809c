/**
 * The backend's schema as kysely migrations: Celery's tables and sequences exactly as Celery 5.2.6 creates them on
 * PostgreSQL (`CREATE … IF NOT EXISTS`, so tables Celery made are left as they are), with the extended columns
 * (`result_extended`) and q's `q_meta` column (children, group and parent ids, which Celery's tables have no place
 * for) on tables q creates; then q's chord counters. Migrations run under kysely's lock, so workers starting
 * together create everything once.
 */
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { BackendError } from '@q/core';
import { isConnectionError } from '../store/pg-retry.js';
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

/** The `application_name` of the backend's own connections: its writes notify by themselves, the trigger skips them. */
export const BACKEND_APPLICATION_NAME = 'q-backend-pg';

/**
 * On task tables q created (they have `q_meta`), a trigger notifies each row written by anyone else — a Python
 * worker — on the task's channel with an empty payload (the listener then reads the row), so a q client's `get()`
 * wakes at once for Python's results too. Tables Celery created get no trigger (left as they are): there the
 * listener's periodic re-read finds Python's rows (`recheckIntervalMs`).
 */
function notifyTrigger(refs: TableRefs): Migration {
  return {
    async up(db) {
      const columns = await tableColumns(db, refs.task.schema, refs.task.name);
      if (!columns.has('q_meta')) return;
      const fn = { schema: refs.task.schema, name: `${refs.task.name}_q_notify`.slice(0, 63) };
      await sql`CREATE OR REPLACE FUNCTION ${ident(fn)}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          PERFORM pg_notify('q_' || md5(NEW.task_id), '');
          RETURN NULL;
        END $$`.execute(db);
      await sql`CREATE TRIGGER ${sql.id(fn.name)} AFTER INSERT OR UPDATE ON ${ident(refs.task)} FOR EACH ROW
        WHEN (current_setting('application_name', true) IS DISTINCT FROM ${sql.lit(BACKEND_APPLICATION_NAME)})
        EXECUTE FUNCTION ${ident(fn)}()`.execute(db);
    },
  };
}

/**
 * Native chords' parts in a table of their own (a row per header task, unique per chord and task id, so a
 * redelivered header task is counted once), instead of a jsonb array rewritten by every part.
 */
function chordPartTable(refs: TableRefs): Migration {
  return {
    async up(db) {
      await sql`CREATE TABLE IF NOT EXISTS ${ident(refs.chordPart)} (
        id bigserial PRIMARY KEY,
        group_id character varying(155) NOT NULL,
        group_index integer,
        task_id character varying(155) NOT NULL,
        status character varying(50) NOT NULL,
        result text,
        created timestamp without time zone NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
        UNIQUE (group_id, task_id)
      )`.execute(db);
      // Databases migrated before the parts table kept the parts in a jsonb column, unused now.
      await sql`ALTER TABLE ${ident(refs.chord)} DROP COLUMN IF EXISTS parts`.execute(db);
    },
  };
}

/** The migrations, in order (names sort in that order). */
export function backendMigrations(refs: TableRefs): Record<string, Migration> {
  return {
    '0001_celery_tables': celeryTables(refs),
    '0002_q_chords': chordTable(refs),
    '0003_q_revoked': revokedTable(refs),
    '0004_q_notify_trigger': notifyTrigger(refs),
    '0005_q_chord_parts': chordPartTable(refs),
  };
}

/** SQLSTATEs of two connections creating the same object at once (`CREATE … IF NOT EXISTS` is not atomic). */
const CREATE_RACE = new Set(['23505', '42P07', '42710', '42P06', '40P01']);

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
  for (let attempt = 1; ; attempt++) {
    const { error, results } = await migrator.migrateToLatest();
    if (error === undefined) return;
    // A lost or refused connection is not a failed migration: thrown as it is, for the caller to retry.
    if (isConnectionError(error)) throw error;
    // Another process created the same bookkeeping table or object a moment before: it exists now, try again.
    const code = (error as { code?: unknown }).code;
    if (attempt < 3 && typeof code === 'string' && CREATE_RACE.has(code)) continue;
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
