/**
 * An app with the in-memory broker and the PostgreSQL backend, a q worker, and `AsyncResult.get()` woken by
 * LISTEN/NOTIFY: rows are Celery's (ids from the sequence, the result pickled, `date_done` naive UTC, extended
 * columns), failures raise, chords join by `celery.chord_unlock` and natively, polling works, tables Celery created
 * are used as they are, and `celery.backend_cleanup` deletes expired rows.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { chord, createApp, memoryQueueDriver, RemoteError, silentLogger, type App } from '@q/core';
import { POSTGRES, servicesAvailable, VECTORS_DIR } from '@q/test-services';
import { createWorker, type Worker } from '@q/worker';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { decodePickle, pgBackend, qPlugin, type PgBackendOptions } from '../src/index.js';
import { PG_URL, dropSchema, freshSchema, pgExec } from './pg-schema.js';

const ok = await servicesAvailable('backend-pg', POSTGRES);
const SCHEMA = 'q_test_backend_pg_app';
const tableSchemas = { task: SCHEMA, group: SCHEMA };

let apps = 0;
async function appWithWorker(options: PgBackendOptions = {}, conf: { extended?: boolean; expires?: number } = {}): Promise<{ app: App; worker: Worker }> {
  const name = `pg-app-${process.pid}-${++apps}`;
  const app = createApp({
    name,
    broker: memoryQueueDriver({ namespace: name }),
    backend: pgBackend({ url: PG_URL, tableSchemas, ...options }),
    task: { trackStarted: true },
    result: { extended: conf.extended ?? false, chordRetryInterval: 0.05, ...(conf.expires === undefined ? {} : { expires: conf.expires }) },
  });
  app.task({ name: 'tasks.add', params: ['x', 'y'] }, (x: number, y: number) => x + y);
  app.task({ name: 'tasks.sum', params: ['xs'] }, (xs: number[]) => xs.reduce((a, b) => a + b, 0));
  app.task({ name: 'tasks.fail', params: ['msg'] }, (msg: string) => {
    throw new TypeError(msg);
  });
  const worker = createWorker(app, { logger: silentLogger, hostname: 'w1@pg-test', closeApp: false, concurrency: 8 });
  await worker.start();
  onTestFinished(async () => {
    await worker.stop({ graceful: false });
    await app.close();
  });
  return { app, worker };
}

interface Row {
  id: number;
  status: string;
  result: Buffer;
  date_done: string | null;
  traceback: string | null;
  name: string | null;
  args: Buffer | null;
  kwargs: Buffer | null;
  worker: string | null;
  retries: number | null;
  queue: string | null;
}

/** A promise and its resolve (Node 20 has no Promise.withResolvers). */
function deferred(): { promise: Promise<unknown>; resolve: (value: unknown) => void } {
  let resolve: (value: unknown) => void = () => undefined;
  const promise = new Promise<unknown>((r) => (resolve = r));
  return { promise, resolve };
}

const rowOf = async (taskId: string, table = 'celery_taskmeta'): Promise<Row | undefined> =>
  (await pgExec<Row>(`SELECT id, status, result, date_done::text AS date_done, traceback, name, args, kwargs, worker, retries, queue FROM "${SCHEMA}"."${table}" WHERE task_id = $1`, [taskId]))[0];

describe.skipIf(!ok)('app + worker with the PostgreSQL backend (schema q_test_backend_pg_app)', () => {
  beforeAll(() => freshSchema(SCHEMA));
  afterAll(() => dropSchema(SCHEMA));

  it("get() returns what the worker stored; the row is Celery's: sequence id, pickled result, naive UTC date, extended columns", async () => {
    const { app } = await appWithWorker({}, { extended: true });
    const result = await app.sendTask<number>('tasks.add', [2, 3]);
    expect(await result.get({ timeout: 5 })).toBe(5);
    const row = await rowOf(result.id);
    expect(row?.status).toBe('SUCCESS');
    expect(row?.result.toString('hex')).toBe('80054b052e');
    expect(row?.date_done).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?$/);
    expect(Math.abs(Date.parse(`${row?.date_done?.replace(' ', 'T') ?? ''}Z`) - Date.now())).toBeLessThan(60_000);
    const [{ last_value: lastId } = { last_value: -1 }] = await pgExec<{ last_value: number }>(`SELECT last_value FROM "${SCHEMA}".task_id_sequence`);
    expect(row?.id).toBeGreaterThan(0);
    expect(row?.id).toBeLessThanOrEqual(Number(lastId));
    expect(row?.args?.toString()).toBe('[2, 3]');
    expect(row?.kwargs?.toString()).toBe('{}');
    expect(row).toMatchObject({ name: 'tasks.add', worker: 'w1@pg-test', retries: 0, queue: 'celery', traceback: null });
  });

  it('a failure raises RemoteError; the row holds the exception dict with exc_message a tuple, and the traceback', async () => {
    const { app } = await appWithWorker();
    const failed = await app.sendTask('tasks.fail', ['nope']);
    const error = await failed.get({ timeout: 5 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteError);
    const row = await rowOf(failed.id);
    expect(row?.status).toBe('FAILURE');
    // 0x85 = TUPLE1: the args tuple, as Python pickles exc.args.
    expect(row?.result.includes(Buffer.from([0x85]))).toBe(true);
    expect(decodePickle(row?.result ?? new Uint8Array())).toEqual({ exc_type: 'TypeError', exc_message: ['nope'], exc_module: 'builtins' });
    expect(row?.traceback).toContain('TypeError');
  });

  it('many results at once: each get() gets its own', async () => {
    const { app } = await appWithWorker();
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => app.sendTask<number>('tasks.add', [i, 1])));
    const values = await Promise.all(results.map((r) => r.get({ timeout: 10 })));
    expect(values).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
  });

  it.each([['unlock' as const], ['native' as const]])('a chord joins (chords: %s) and its body gets the header results in order', async (chords) => {
    const { app } = await appWithWorker({ chords, tableNames: { task: `chord_${chords}_taskmeta`, group: `chord_${chords}_tasksetmeta` } });
    const header = Array.from({ length: 10 }, (_, i) => app.signature('tasks.add', [i, i]));
    const result = await chord(header, app.signature('tasks.sum')).applyAsync();
    expect(await result.get({ timeout: 10 })).toBe(90);
  });

  it('native chords: a redelivered part counts once; 60 parts reported at once complete exactly once, in group order', async () => {
    const backend = pgBackend({ url: PG_URL, tableSchemas, chords: 'native' });
    await backend.connect();
    onTestFinished(() => backend.close());
    const report = (groupId: string, i: number) =>
      backend.onChordPartReturn!({
        groupId,
        groupIndex: i,
        taskId: `${groupId}-${i}`,
        meta: { taskId: `${groupId}-${i}`, status: 'SUCCESS', result: { i, big: 2n ** 70n }, traceback: null, children: [], dateDone: null },
      });
    await backend.setChordSize!('redelivered', 2, { expiresMs: null });
    expect((await report('redelivered', 1)).complete).toBe(false);
    expect((await report('redelivered', 1)).complete).toBe(false);
    const last = await report('redelivered', 0);
    expect(last).toEqual({ complete: true, results: [{ i: 0, big: 2n ** 70n }, { i: 1, big: 2n ** 70n }], failed: null });

    await backend.setChordSize!('wide', 60, { expiresMs: null });
    const order = Array.from({ length: 60 }, (_, i) => (i * 37) % 60);
    const progress = await Promise.all(order.map((i) => report('wide', i)));
    const complete = progress.filter((p) => p.complete);
    expect(complete).toHaveLength(1);
    expect(complete[0]?.complete && complete[0].results.map((r) => (r as { i: number }).i)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(await pgExec(`SELECT 1 FROM "${SCHEMA}".celery_taskmeta_q_chord_part WHERE group_id IN ('wide', 'redelivered')`)).toHaveLength(0);
  });

  it('polling (notify: "poll") also wakes get()', async () => {
    const { app } = await appWithWorker({ notify: 'poll', pollIntervalMs: 20 });
    const result = await app.sendTask<number>('tasks.add', [20, 22]);
    expect(await result.get({ timeout: 5 })).toBe(42);
  });

  it("uses tables Celery created as they are (no q_meta, no extended columns) and reads Celery's rows", async () => {
    const schema = `${SCHEMA}_celery`;
    await freshSchema(schema);
    onTestFinished(() => dropSchema(schema));
    const ddl = readFileSync(join(VECTORS_DIR, 'db-schema-postgres.sql'), 'utf8')
      .replace(/public\./g, `"${schema}".`)
      .replace(/ALTER TABLE [^;]* OWNER TO [^;]*;/g, '')
      .replace(/,\n\s+name character varying\(155\),[\s\S]*?queue character varying\(155\)\n/, '\n');
    await pgExec(ddl);
    const vector = JSON.parse(readFileSync(join(VECTORS_DIR, 'db-rows-postgres.json'), 'utf8')) as {
      celery_taskmeta_rows: { task_id: string; status: string; result_pickle_hex: string; date_done: string; traceback: string | null; result_unpickled: unknown }[];
    };
    for (const row of vector.celery_taskmeta_rows) {
      await pgExec(
        `INSERT INTO "${schema}".celery_taskmeta (id, task_id, status, result, date_done, traceback) VALUES (nextval('"${schema}".task_id_sequence'), $1, $2, decode($3, 'hex'), $4, $5)`,
        [row.task_id, row.status, row.result_pickle_hex, row.date_done, row.traceback],
      );
    }
    const backend = pgBackend({ url: PG_URL, tableSchemas: { task: schema, group: schema } });
    await backend.connect();
    onTestFinished(() => backend.close());
    const [ok0, failed] = await backend.getMany(vector.celery_taskmeta_rows.map((r) => r.task_id));
    expect(ok0).toMatchObject({ status: 'SUCCESS', result: vector.celery_taskmeta_rows[0]?.result_unpickled, dateDone: '2026-11-22T02:46:53.859364', children: [] });
    expect(failed).toMatchObject({ status: 'FAILURE', result: vector.celery_taskmeta_rows[1]?.result_unpickled, dateDone: '2026-11-22T02:46:53.871230' });
    const columns = await pgExec<{ column_name: string }>(`SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'celery_taskmeta'`, [schema]);
    expect(columns.map((c) => c.column_name)).not.toContain('q_meta');
    await backend.storeResult({ taskId: 'q-on-celery-table', status: 'SUCCESS', result: [1, 'two'], traceback: null, children: [['x', null]], dateDone: '2026-12-07T10:00:00.000001' }, { expiresMs: null });
    expect(await backend.getTaskMeta('q-on-celery-table')).toMatchObject({ result: [1, 'two'], children: [], dateDone: '2026-12-07T10:00:00.000001' });
  });

  it("a row another writer (Python) stores wakes a watching get(): by the trigger on q's tables, by the re-read on Celery's", async () => {
    const foreign = (table: string, schema: string, taskId: string): Promise<unknown> =>
      pgExec(
        `INSERT INTO "${schema}"."${table}" (id, task_id, status, result, date_done) VALUES (nextval('"${schema}".task_id_sequence'), $1, 'SUCCESS', decode('80054b2a2e', 'hex'), now() AT TIME ZONE 'utc')`,
        [taskId],
      );
    // q's table, no re-read: only the trigger can wake the watcher.
    const triggered = pgBackend({ url: PG_URL, tableSchemas, recheckIntervalMs: 0 });
    await triggered.connect();
    onTestFinished(() => triggered.close());
    const seen = deferred();
    await triggered.watch('foreign-1', (m) => seen.resolve(m.result));
    await foreign('celery_taskmeta', SCHEMA, 'foreign-1');
    expect(await seen.promise).toBe(42);
    // A table without the trigger (as Celery creates it): the re-read finds the row.
    const schema = `${SCHEMA}_notrigger`;
    await freshSchema(schema);
    onTestFinished(() => dropSchema(schema));
    await pgExec(`CREATE SEQUENCE "${schema}".task_id_sequence; CREATE TABLE "${schema}".celery_taskmeta (id integer PRIMARY KEY, task_id varchar(155) UNIQUE, status varchar(50), result bytea, date_done timestamp, traceback text)`);
    const rechecking = pgBackend({ url: PG_URL, tableSchemas: { task: schema, group: schema }, recheckIntervalMs: 20 });
    await rechecking.connect();
    onTestFinished(() => rechecking.close());
    const found = deferred();
    await rechecking.watch('foreign-2', (m) => found.resolve(m.result));
    await foreign('celery_taskmeta', schema, 'foreign-2');
    expect(await found.promise).toBe(42);
  });

  it('celery.backend_cleanup deletes results older than result.expires and keeps newer ones', async () => {
    const { app } = await appWithWorker({}, { expires: 3600 });
    const backend = await app.getBackend();
    const meta = (taskId: string, dateDone: string) => ({ taskId, status: 'SUCCESS', result: 1, traceback: null, children: [], dateDone });
    const old = new Date(Date.now() - 2 * 3600_000).toISOString().replace('Z', '');
    const fresh = new Date().toISOString().replace('Z', '');
    await backend?.storeResult(meta('cleanup-old', old), { expiresMs: null });
    await backend?.storeResult(meta('cleanup-fresh', fresh), { expiresMs: null });
    await backend?.saveGroup?.('cleanup-group', [['cleanup-group', null], []], { expiresMs: null });
    await pgExec(`UPDATE "${SCHEMA}".celery_tasksetmeta SET date_done = date_done - interval '2 hours' WHERE taskset_id = 'cleanup-group'`);
    const run = await app.sendTask('celery.backend_cleanup', []);
    await run.get({ timeout: 5 });
    expect(await backend?.getTaskMeta('cleanup-old')).toBeNull();
    expect(await backend?.getTaskMeta('cleanup-fresh')).not.toBeNull();
    expect(await backend?.restoreGroup?.('cleanup-group')).toBeNull();
  });

  it('shared revokes: ids saved by workers at once are all kept, newest last; since, limit and expiry apply', async () => {
    const backend = pgBackend({ url: PG_URL, tableSchemas });
    await backend.connect();
    onTestFinished(() => backend.close());
    const now = Date.now();
    await Promise.all([
      backend.saveRevoked(['r1', 'r2'], { at: now - 3000, ttlMs: 60_000 }),
      backend.saveRevoked(['r3'], { at: now - 2000, ttlMs: 60_000 }),
      backend.saveRevoked(['gone'], { at: now - 120_000, ttlMs: 60_000 }),
    ]);
    await backend.saveRevoked(['r1'], { at: now - 1000, ttlMs: 60_000 });
    expect(await backend.loadRevoked()).toEqual([
      { id: 'r2', at: now - 3000 },
      { id: 'r3', at: now - 2000 },
      { id: 'r1', at: now - 1000 },
    ]);
    expect((await backend.loadRevoked({ since: now - 2500 })).map((r) => r.id)).toEqual(['r3', 'r1']);
    expect((await backend.loadRevoked({ limit: 1 })).map((r) => r.id)).toEqual(['r1']);
  });

  it('a task revoked before every worker restarted is still skipped (shared revokes through PostgreSQL)', async () => {
    const first = await appWithWorker();
    const result = await first.app.sendTask('tasks.add', [1, 1], undefined, { countdown: 3600 });
    await first.app.control.revoke(result.id);
    await vi.waitFor(async () => expect((await (await first.app.getBackend())?.loadRevoked?.())?.map((r) => r.id)).toContain(result.id), { timeout: 5000 });
    await first.worker.stop({ graceful: false });
    const second = await appWithWorker();
    await vi.waitFor(() => expect(second.worker.nodeState.revoked.has(result.id)).toBe(true), { timeout: 5000 });
  });

  it("without tableSchemas, the tables go to the connection's current schema, even when another schema has q's tables", async () => {
    const schema = `${SCHEMA}_path`;
    await freshSchema(schema);
    onTestFinished(() => dropSchema(schema));
    // SCHEMA already holds q's tables and migration bookkeeping (earlier tests).
    const url = `${PG_URL}?options=${encodeURIComponent(`-csearch_path=${schema}`)}`;
    const backend = pgBackend({ url, synchronousCommit: false });
    await backend.connect();
    onTestFinished(() => backend.close());
    const tables = await pgExec<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE schemaname = $1`, [schema]);
    expect(tables.map((t) => t.tablename)).toEqual(expect.arrayContaining(['celery_taskmeta', 'celery_tasksetmeta', 'celery_taskmeta_q_migration']));
    await backend.storeResult({ taskId: 'in-path', status: 'SUCCESS', result: 1, traceback: null, children: [], dateDone: null }, { expiresMs: null });
    expect(await pgExec(`SELECT 1 FROM "${schema}".celery_taskmeta WHERE task_id = 'in-path'`)).toHaveLength(1);
    // synchronousCommit: false is set on the backend's connections.
    const { rows } = await sql<{ synchronous_commit: string }>`SHOW synchronous_commit`.execute(backend.db);
    expect(rows[0]?.synchronous_commit).toBe('off');
  });

  it('resolves backend: "db+postgresql://…" through the plugin, with result.backendOptions', async () => {
    const url = PG_URL.replace('postgresql://', 'db+postgresql://');
    const app = createApp({ name: 'pg-url', broker: 'memory://pg-url', backend: url, plugins: [qPlugin], result: { backendOptions: { tableSchemas, chords: 'native' } } });
    onTestFinished(() => app.close());
    const backend = await app.getBackend();
    expect(backend?.capabilities).toEqual({ push: true, chords: 'native', groups: true, autoExpire: false });
    expect(backend?.describe()).toBe(PG_URL);
  });
});
