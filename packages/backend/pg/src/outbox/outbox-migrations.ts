/**
 * The outbox table, created by a kysely `Migrator` of its own (its migration tables `<table>_migration` and
 * `<table>_migration_lock` sit in the outbox's schema), so it never mixes with the application's migrations or
 * with the result backend's.
 */
import { Migrator, sql } from 'kysely';
import type { Kysely, Migration, MigrationProvider } from 'kysely';
import { BackendError } from '@q/core';
import { resolveOutboxTable, type OutboxTableOptions, type ResolvedOutboxTable } from './outbox-table.js';

/** The outbox's migrations, for the table `t` (names are resolved, so the SQL can name them). */
export function outboxMigrations(t: ResolvedOutboxTable): Record<string, Migration> {
  return {
    '0001_create_outbox': {
      async up(db: Kysely<unknown>) {
        await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(t.schema)}`.execute(db);
        await sql`
          CREATE TABLE IF NOT EXISTS ${sql.id(t.schema, t.table)} (
            id bigserial PRIMARY KEY,
            created_at timestamptz NOT NULL DEFAULT now(),
            task_id text NOT NULL,
            task_name text NOT NULL,
            payload text NOT NULL,
            attempts integer NOT NULL DEFAULT 0,
            last_error text,
            available_at timestamptz NOT NULL DEFAULT now()
          )`.execute(db);
      },
      async down(db: Kysely<unknown>) {
        await sql`DROP TABLE IF EXISTS ${sql.id(t.schema, t.table)}`.execute(db);
      },
    },
  };
}

/**
 * Creates (or brings up to date) the outbox table through `db`. Idempotent and safe to run from several processes
 * at once (the migrator takes its lock). The relay runs it when it starts.
 * @throws BackendError `Q_ERR_BACKEND_FAILED` when a migration fails (the cause is the database's error).
 */
export async function ensureOutboxTable(db: Kysely<unknown>, options: OutboxTableOptions = {}): Promise<void> {
  const t = resolveOutboxTable(options);
  const migrations = outboxMigrations(t);
  const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrations) };
  const migrator = new Migrator({
    db,
    provider,
    migrationTableSchema: t.schema,
    migrationTableName: t.migrationTable,
    migrationLockTableName: t.migrationLockTable,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'the migrator';
    throw new BackendError('Q_ERR_BACKEND_FAILED', `outbox ${t.qualified}: migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
