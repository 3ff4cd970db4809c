/** Options of the PostgreSQL beat store and lock, and the names they resolve to. */
import { ConfigError, type Logger } from '@q/core';
import { pgConnectionString } from '../pg-url.js';
import { quoteIdent } from '../outbox/outbox-table.js';
import { DEFAULT_PG_URL } from '../options.js';

/** Options shared by {@link pgBeatStore} and {@link pgBeatLock}. */
export interface PgBeatOptions {
  /** `postgresql://…`, `postgres://…`, `db+postgresql://…` (default the backend's {@link DEFAULT_PG_URL}). */
  url?: string;
  /** Names the schedule: its row in the state table and its advisory lock (default `celery`). */
  name?: string;
  /** Schema of the state table (default `public`; created when missing). */
  schema?: string;
  /** The state table (default `q_beat_state`; created when missing). */
  table?: string;
  logger?: Logger;
}

/** {@link PgBeatOptions} after defaults, checked. */
export interface ResolvedPgBeatOptions {
  readonly connectionString: string;
  readonly name: string;
  readonly schema: string;
  readonly table: string;
  /** `"schema"."table"`, ready for SQL text. */
  readonly qualified: string;
}

/** Default state table. */
export const DEFAULT_BEAT_TABLE = 'q_beat_state';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

function identifier(value: string, option: string): string {
  if (!IDENTIFIER.test(value)) {
    throw new ConfigError('Q_ERR_CONFIG_INVALID', `PostgreSQL beat ${option}: ${JSON.stringify(value)} is not a plain PostgreSQL identifier (letters, digits and _, at most 63)`);
  }
  return value;
}

/**
 * Resolves and checks the options.
 * @throws ConfigError `Q_ERR_URL_INVALID` for a URL of another scheme, `Q_ERR_CONFIG_INVALID` for a bad schema or table.
 */
export function resolvePgBeatOptions(options: PgBeatOptions): ResolvedPgBeatOptions {
  const schema = identifier(options.schema ?? 'public', 'schema');
  const table = identifier(options.table ?? DEFAULT_BEAT_TABLE, 'table');
  return Object.freeze({
    connectionString: pgConnectionString(options.url ?? DEFAULT_PG_URL),
    name: options.name ?? 'celery',
    schema,
    table,
    qualified: `${quoteIdent(schema)}.${quoteIdent(table)}`,
  });
}
