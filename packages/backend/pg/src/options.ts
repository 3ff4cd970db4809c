/** Options of the PostgreSQL result backend. */
import type { Logger } from '@q/core';
import type { Pool, PoolConfig } from 'pg';

/** The default URL: a local PostgreSQL, database `postgres`, as the current user. */
export const DEFAULT_PG_URL = 'postgresql://127.0.0.1:5432/postgres';

/** Celery's `database_table_names`: the two tables' names. */
export interface PgTableNames {
  /** Task states (default `celery_taskmeta`). */
  task?: string;
  /** Saved groups (default `celery_tasksetmeta`). */
  group?: string;
}

/** Celery's `database_table_schemas`: the schema of each table (default: the connection's `search_path`, `public`). */
export interface PgTableSchemas {
  task?: string;
  group?: string;
}

/** Options of {@link pgBackend}. */
export interface PgBackendOptions {
  /**
   * `postgresql://[user[:password]@]host[:port]/database[?…]`; Celery's forms `db+postgresql://…` and
   * `db+postgresql+psycopg2://…` and the short `postgres://` are read the same way. Default {@link DEFAULT_PG_URL}.
   * Ignored when `pool` is given.
   */
  url?: string;
  /** A `pg` pool of your own (the backend then neither creates nor ends it). */
  pool?: Pool;
  /**
   * `false` turns off PostgreSQL's `synchronous_commit` for the backend's own connections: a store is acknowledged
   * before its commit reaches the disk, which roughly doubles the rate of a drain with results on a server whose
   * disk flush dominates. The price: if the *server* crashes (not a clean restart), the results of its last
   * fraction of a second are gone, for tasks whose messages were already acknowledged. Default `true` (Celery's
   * behaviour: every stored result is durable). Not applied to a `pool` of your own.
   */
  synchronousCommit?: boolean;
  /** Options of the pool the backend creates (`max` connections, default 10; timeouts; `ssl`; …). */
  poolOptions?: PoolConfig;
  /** Table names (Celery `database_table_names`). */
  tableNames?: PgTableNames;
  /** Table schemas (Celery `database_table_schemas`). */
  tableSchemas?: PgTableSchemas;
  /**
   * Create the tables and sequences when they are missing (kysely migrations; tables Celery created are left as
   * they are). Default true; false expects them to exist.
   */
  createTables?: boolean;
  /**
   * Chords. `unlock` (default, as Celery's database backend): the client sends `celery.chord_unlock`, which polls the
   * header results. `native`: each header task counts itself in one `UPDATE … RETURNING` and the last sends the body
   * — no polling task; only when every client and worker of the chords is q (Python clients send
   * `celery.chord_unlock` for their chords, and a native join would then run the body twice).
   */
  chords?: 'unlock' | 'native';
  /**
   * How `get()` learns of a stored state: `listen` (default) waits on LISTEN/NOTIFY and falls back to polling when
   * the connection cannot LISTEN (e.g. a pooler in transaction mode); `poll` always polls.
   */
  notify?: 'listen' | 'poll';
  /** Poll interval of watched tasks when polling, ms (default 100). */
  pollIntervalMs?: number;
  /**
   * While listening, also re-read the watched tasks this often, ms (default 1000; 0: never): rows written without
   * a notification — by Python Celery into a table Celery created, which has no notify trigger — are found this
   * way (Python's own clients poll every 500 ms).
   */
  recheckIntervalMs?: number;
  /**
   * How long a store or read keeps retrying while the server is unreachable (a restart, a failover), ms (default
   * 30,000). Celery's database backend retries 3 times.
   */
  retryForMs?: number;
  logger?: Logger;
}

/** Celery's default table names. */
export const DEFAULT_TABLE_NAMES = Object.freeze({ task: 'celery_taskmeta', group: 'celery_tasksetmeta' });
