/**
 * `pgBackend()`: Celery's database result backend (`db+postgresql://`) on PostgreSQL, through kysely over a `pg`
 * pool. Rows are Celery's (`celery_taskmeta`, `celery_tasksetmeta`, ids from their sequences, results pickled as
 * Python does), so Python Celery reads what q stores and the other way round. Beyond Celery: states are pushed to
 * waiting `get()`s by LISTEN/NOTIFY instead of polled, a turn's states go out as one statement, and chords can be
 * joined natively (`chords: 'native'`). Parts: {@link TaskStore}, {@link GroupStore}, {@link ResultListener},
 * {@link NativeChords}, {@link RevokedStore} (shared revokes), `deleteExpired`.
 */
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { BackendError, silentLogger, type Logger, type ResultBackend, type TaskMeta } from '@q/core';
import type { ChordPart, ChordProgress, LoadRevokedOptions, ResultBackendCapabilities, RevokedId, SaveRevokedOptions, StoreOptions } from '@q/core/adapter';
import { maskUrl } from '@q/core/adapter';
import { NativeChords } from './chords/native-chord.js';
import { ResultListener } from './listen/result-listener.js';
import { DEFAULT_PG_URL, type PgBackendOptions } from './options.js';
import { pgConnectionString } from './pg-url.js';
import { BACKEND_APPLICATION_NAME, migrate, tableColumns } from './schema/migrations.js';
import { tableRefs, type TableRefs } from './schema/table-refs.js';
import { deleteExpired, type CleanupReport } from './store/cleanup.js';
import { GroupStore } from './store/group-store.js';
import { withPgRetry, type PgRetryOptions } from './store/pg-retry.js';
import { RevokedStore } from './store/revoked-store.js';
import { TaskStore } from './store/task-store.js';
import { preparedRunner } from './store/prepared-runner.js';
import { sqlRunner, type SqlRunner } from './store/sql-runner.js';

/** The PostgreSQL result backend. */
export interface PgBackend extends ResultBackend {
  /** The kysely instance over the backend's pool (connected by `connect()`). */
  readonly db: Kysely<unknown>;
  watch(taskId: string, onMeta: (meta: TaskMeta) => void, onEnd?: (error: Error) => void): Promise<() => Promise<void>>;
  getMany(taskIds: readonly string[]): Promise<(TaskMeta | null)[]>;
  saveGroup(groupId: string, resultTuple: unknown, options: StoreOptions): Promise<void>;
  restoreGroup(groupId: string): Promise<unknown | null>;
  deleteGroup(groupId: string): Promise<void>;
  saveRevoked(ids: readonly string[], options: SaveRevokedOptions): Promise<void>;
  loadRevoked(options?: LoadRevokedOptions): Promise<RevokedId[]>;
  /** Delete results and groups finished more than `expiresMs` ago (Celery's `cleanup()`). */
  cleanup(options: { expiresMs: number }): Promise<CleanupReport>;
}

/** What the backend supports: `chords` is `native` only when asked for. */
export function pgBackendCapabilities(chords: 'unlock' | 'native'): ResultBackendCapabilities {
  return Object.freeze({ push: true, chords, groups: true, autoExpire: false });
}

interface Connected {
  runner: SqlRunner;
  store: TaskStore;
  groups: GroupStore;
  chords: NativeChords;
  revoked: RevokedStore;
  listener: ResultListener;
}

/** Create the backend from a URL (`postgresql://…`, `db+postgresql://…`) or options. Unconnected until `connect()`. */
export function pgBackend(options: PgBackendOptions | string = {}): PgBackend {
  const opts: PgBackendOptions = typeof options === 'string' ? { url: options } : options;
  const url = opts.pool ? null : pgConnectionString(opts.url ?? DEFAULT_PG_URL);
  const logger: Logger = opts.logger ?? silentLogger;
  // Checked now (a bad name fails at once); the schemas left to the search path are fixed at connect.
  tableRefs(opts.tableNames, opts.tableSchemas);
  const chordMode = opts.chords ?? 'unlock';
  let closed = false;
  const retry: PgRetryOptions = { retryForMs: opts.retryForMs ?? 30_000, logger, closed: () => closed };
  const ownPool = opts.pool === undefined;
  // The trigger on q's tables skips this connection's writes (they notify by themselves), by its application_name.
  const pool = opts.pool ?? new pg.Pool({ max: 10, application_name: BACKEND_APPLICATION_NAME, ...opts.poolOptions, connectionString: url ?? undefined });
  // An idle client losing its connection is reported on the pool: without a listener Node ends the process.
  const onPoolError = (err: Error): void => logger.warn({ err }, 'PostgreSQL result backend: an idle connection was lost');
  pool.on('error', onPoolError);
  // Queued on the new connection before the statement it was opened for.
  if (ownPool && opts.synchronousCommit === false) pool.on('connect', (client) => void client.query('SET synchronous_commit = off').catch(() => undefined));
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  const described = url === null ? 'postgresql://(pool)' : maskUrl(url);
  let connecting: Promise<Connected> | null = null;

  /**
   * The table names with every schema explicit: one left to the search path becomes the connection's
   * `current_schema()` (kysely's migrator would otherwise take its bookkeeping table in any schema for its own).
   */
  const resolvedRefs = async (): Promise<TableRefs> => {
    const given = opts.tableSchemas ?? {};
    if (given.task !== undefined && given.group !== undefined) return tableRefs(opts.tableNames, given);
    const { rows } = await sql<{ schema: string | null }>`SELECT current_schema() AS schema`.execute(db);
    const current = rows[0]?.schema ?? 'public';
    return tableRefs(opts.tableNames, { task: given.task ?? current, group: given.group ?? current });
  };

  const connected = (): Promise<Connected> => {
    if (closed) return Promise.reject(new BackendError('Q_ERR_BACKEND_FAILED', `PostgreSQL result backend ${described} is closed`));
    // While the server is out of reach (starting, restarting) connecting is retried for `retryForMs`, as stores are.
    connecting ??= withPgRetry('connecting', async () => {
      const refs = await resolvedRefs();
      if (opts.createTables !== false) await migrate(db, refs);
      const columns = await tableColumns(db, refs.task.schema, refs.task.name);
      if (columns.size === 0) throw new BackendError('Q_ERR_BACKEND_FAILED', `PostgreSQL result backend: the table ${refs.task.name} does not exist (createTables is off)`);
      const store = new TaskStore(db, preparedRunner(pool), refs, { extended: columns.has('name') && columns.has('args'), qMeta: columns.has('q_meta') }, retry);
      const listener = new ResultListener({
        clientConfig: url === null ? { ...(pool as unknown as { options: pg.ClientConfig }).options } : { connectionString: url, ...opts.poolOptions },
        read: (ids) => store.read(ids),
        logger,
        mode: opts.notify === 'poll' ? 'poll' : 'listen',
        pollIntervalMs: opts.pollIntervalMs ?? 100,
        recheckIntervalMs: opts.recheckIntervalMs ?? 1000,
        retryForMs: retry.retryForMs,
      });
      const runner = sqlRunner(db, refs, retry);
      return { runner, store, groups: new GroupStore(runner), chords: new NativeChords(runner), revoked: new RevokedStore(runner), listener };
    }, retry);
    connecting.catch(() => {
      connecting = null;
    });
    return connecting;
  };

  const backend: PgBackend = {
    capabilities: pgBackendCapabilities(chordMode),
    db,
    async connect() {
      await connected();
    },
    async close() {
      if (closed) return;
      const parts = connecting ? await connecting.catch(() => null) : null;
      await parts?.store.drain();
      closed = true;
      await parts?.listener.close();
      // The backend's own pool keeps its listener: pg-pool's end() resolves before the ended clients' sockets are
      // closed, and a client the server drops meanwhile (a shutdown) is an 'error' on the pool, uncaught without one.
      if (ownPool) await db.destroy();
      else pool.off('error', onPoolError);
    },
    async storeResult(meta) {
      await (await connected()).store.store(meta);
    },
    async getTaskMeta(taskId) {
      const [meta] = await (await connected()).store.read([taskId]);
      return meta ?? null;
    },
    async getMany(taskIds) {
      return (await connected()).store.read(taskIds);
    },
    async forget(taskId) {
      await (await connected()).store.forget(taskId);
    },
    async watch(taskId, onMeta, onEnd) {
      return (await connected()).listener.watch(taskId, onMeta, onEnd);
    },
    async saveGroup(groupId, resultTuple) {
      await (await connected()).groups.save(groupId, resultTuple);
    },
    async restoreGroup(groupId) {
      return (await connected()).groups.restore(groupId);
    },
    async deleteGroup(groupId) {
      await (await connected()).groups.delete(groupId);
    },
    async saveRevoked(ids, options) {
      await (await connected()).revoked.save(ids, options);
    },
    async loadRevoked(options) {
      return (await connected()).revoked.load(options);
    },
    async cleanup({ expiresMs }) {
      return deleteExpired((await connected()).runner, expiresMs);
    },
    describe: () => described,
  };
  if (chordMode === 'native') {
    Object.assign(backend, {
      setChordSize: async (groupId: string, size: number, store: StoreOptions): Promise<void> => (await connected()).chords.setChordSize(groupId, size, store),
      onChordPartReturn: async (part: ChordPart): Promise<ChordProgress> => (await connected()).chords.onChordPartReturn(part),
    });
  }
  return backend;
}
