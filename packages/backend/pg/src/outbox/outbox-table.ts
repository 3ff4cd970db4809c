/**
 * Where an outbox lives: its schema, table and notification channel, checked once. Names are plain PostgreSQL
 * identifiers (letters, digits and `_`, at most 63 bytes) and always written quoted.
 */
import { ConfigError } from '@q/core';

/** The outbox table a sender writes and a relay drains. */
export interface OutboxTableOptions {
  /** Schema of the table and its migration tables (default `public`). */
  schema?: string;
  /** Table name (default `q_outbox`). */
  table?: string;
  /** NOTIFY channel the relay listens on (default `<schema>.<table>`, at most 63 bytes). */
  channel?: string;
}

/** {@link OutboxTableOptions} after defaults, checked. */
export interface ResolvedOutboxTable {
  readonly schema: string;
  readonly table: string;
  readonly channel: string;
  /** `"schema"."table"`, ready for SQL text. */
  readonly qualified: string;
  /** The kysely migration table of this outbox (`<table>_migration`). */
  readonly migrationTable: string;
  /** The kysely migration lock table (`<table>_migration_lock`). */
  readonly migrationLockTable: string;
}

/** Default table name. */
export const DEFAULT_OUTBOX_TABLE = 'q_outbox';
/** Default schema. */
export const DEFAULT_OUTBOX_SCHEMA = 'public';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** PostgreSQL's NAMEDATALEN - 1. */
const MAX_NAME_BYTES = 63;

function checkName(value: string, option: string): string {
  if (!IDENTIFIER.test(value) || Buffer.byteLength(value) > MAX_NAME_BYTES) {
    throw new ConfigError(
      'Q_ERR_CONFIG_INVALID',
      `outbox.${option}: ${JSON.stringify(value)} is not a plain PostgreSQL identifier (letters, digits and _, at most ${MAX_NAME_BYTES} bytes)`,
    );
  }
  return value;
}

/** A quoted identifier (names are checked, so no quote can occur inside). */
export function quoteIdent(name: string): string {
  return `"${name}"`;
}

/**
 * Resolves and checks the outbox's names.
 * @throws ConfigError `Q_ERR_CONFIG_INVALID` naming the option when a name is not a plain identifier.
 */
export function resolveOutboxTable(options: OutboxTableOptions = {}): ResolvedOutboxTable {
  const schema = checkName(options.schema ?? DEFAULT_OUTBOX_SCHEMA, 'schema');
  const table = checkName(options.table ?? DEFAULT_OUTBOX_TABLE, 'table');
  const migrationTable = checkName(`${table}_migration`, 'table');
  const migrationLockTable = checkName(`${table}_migration_lock`, 'table');
  const channel = options.channel ?? `${schema}.${table}`;
  if (channel === '' || Buffer.byteLength(channel) > MAX_NAME_BYTES || channel.includes('"') || channel.includes('\0')) {
    throw new ConfigError('Q_ERR_CONFIG_INVALID', `outbox.channel: ${JSON.stringify(channel)} must be 1 to ${MAX_NAME_BYTES} bytes without quotes (set it explicitly for long schema and table names)`);
  }
  return Object.freeze({ schema, table, channel, qualified: `${quoteIdent(schema)}.${quoteIdent(table)}`, migrationTable, migrationLockTable });
}
