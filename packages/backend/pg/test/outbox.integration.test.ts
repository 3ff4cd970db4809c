/**
 * Transactional enqueue on a live PostgreSQL (schema `q_test_pg_outbox`), the memory broker and backend, and a
 * real q worker: a task is sent if and only if its transaction committed, exactly once per row, through kysely
 * and through a raw pg client, by the NOTIFY path and by the start/poll path, with two relays on one table, and
 * after a failed publish.
 */
import { randomUUID } from 'node:crypto';
import { createApp, memoryQueueDriver, silentLogger, virtualTransport } from '@q/core';
import type { App, AppOptions, Transport } from '@q/core';
import { POSTGRES, servicesAvailable } from '@q/test-services';
import { createWorker } from '@q/worker';
import type { Worker } from '@q/worker';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureOutboxTable, outbox, outboxRelay, outboxRelayPlugin, sendInTransaction } from '../src/outbox/index.js';
import type { OutboxRelay, OutboxRelayOptions } from '../src/outbox/index.js';

const URL = 'postgresql://postgres@127.0.0.1:5432/test';
const SCHEMA = 'q_test_pg_outbox';
const ok = await servicesAvailable('backend-pg outbox', POSTGRES);

/** A memory transport on `ns` that counts the task messages it publishes, by task id, and can be made to fail. */
function countingTransport(ns: string): Transport & { published: string[]; failing: boolean } {
  const inner = virtualTransport(memoryQueueDriver({ namespace: ns }), { pollIntervalMs: 5 });
  const spy = {
    published: [] as string[],
    failing: false,
    capabilities: inner.capabilities,
    connect: () => inner.connect(),
    close: () => inner.close(),
    declareExchange: (e) => inner.declareExchange(e),
    declareQueue: (q) => inner.declareQueue(q),
    bindQueue: (b) => inner.bindQueue(b),
    publish: async (message, target) => {
      if (spy.failing) throw new Error('broker is down (test)');
      await inner.publish(message, target);
      if (typeof message.headers['id'] === 'string') spy.published.push(message.headers['id']);
    },
    consume: (queue, handler, options) => inner.consume(queue, handler, options),
    purge: (q) => inner.purge(q),
    describe: () => inner.describe(),
  } satisfies Transport & { published: string[]; failing: boolean };
  return spy;
}

/** Polls `read` until `done` holds. */
async function until<T>(read: () => T | Promise<T>, done: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.skipIf(!ok)('transactional enqueue (outbox) on PostgreSQL', () => {
  let pool: pg.Pool;
  let db: Kysely<unknown>;
  const apps: App[] = [];
  const workers: Worker[] = [];
  const relays: OutboxRelay[] = [];

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: URL, max: 10 });
    db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
    await sql`DROP SCHEMA IF EXISTS ${sql.id(SCHEMA)} CASCADE`.execute(db);
    await sql`CREATE SCHEMA ${sql.id(SCHEMA)}`.execute(db);
  });

  afterEach(async () => {
    await Promise.all(relays.splice(0).map((r) => r.stop()));
    await Promise.all(workers.splice(0).map((w) => w.stop({ graceful: false })));
    await Promise.all(apps.splice(0).map((a) => a.close()));
  });

  afterAll(async () => {
    await sql`DROP SCHEMA IF EXISTS ${sql.id(SCHEMA)} CASCADE`.execute(db);
    await db.destroy();
  });

  /** A fresh outbox table and business table, and an app + worker on a fresh memory broker. */
  async function setup(options: { tasks?: AppOptions['task']; plugins?: AppOptions['plugins'] } = {}) {
    const table = `box_${randomUUID().slice(0, 8)}`;
    const orders = `orders_${table}`;
    await ensureOutboxTable(db, { schema: SCHEMA, table });
    await sql`CREATE TABLE ${sql.id(SCHEMA, orders)} (id serial PRIMARY KEY, item text NOT NULL)`.execute(db);
    const ns = `outbox-${randomUUID()}`;
    const runs = new Map<string, number>();
    const register = (app: App) =>
      app.task({ name: 'tasks.add', bind: true }, (ctx, x: number, y: number) => {
        runs.set(ctx.id, (runs.get(ctx.id) ?? 0) + 1);
        return x + y;
      });
    const makeApp = (plugins: AppOptions['plugins'] = []) => {
      const transport = countingTransport(ns);
      const app = createApp({ name: 'outbox-test', broker: transport, backend: `memory://${ns}`, plugins });
      apps.push(app);
      return { app, transport, add: register(app) };
    };
    const client = makeApp();
    const workerSide = makeApp(options.plugins ?? []);
    const worker = createWorker(workerSide.app, { hostname: `w@${table}`, closeApp: false, logger: silentLogger });
    workers.push(worker);
    const relayOptions: OutboxRelayOptions = { pool, schema: SCHEMA, table, pollIntervalMs: 600_000 };
    const startRelay = async (extra: Partial<OutboxRelayOptions> = {}, app: App = client.app) => {
      const relay = outboxRelay(app, { ...relayOptions, ...extra });
      relays.push(relay);
      await relay.start();
      return relay;
    };
    const count = async (name: string) =>
      Number((await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.id(SCHEMA, name)}`.execute(db)).rows[0]?.n);
    return { table, orders, client, workerSide, worker, runs, makeApp, startRelay, relayOptions, count, box: outbox(client.app, { schema: SCHEMA, table }) };
  }

  it('kysely: a committed transaction sends its task once, after commit; the relay started later finds it', async () => {
    const s = await setup();
    await s.worker.start();
    const result = await db.transaction().execute(async (trx) => {
      await sql`INSERT INTO ${sql.id(SCHEMA, s.orders)} (item) VALUES ('book')`.execute(trx);
      return s.box.send(trx, s.client.add, [2, 3]);
    });
    expect(await s.count(s.table)).toBe(1);
    expect(s.client.transport.published).toEqual([]);
    await s.startRelay(); // the start path: no notification was heard, no poll comes (10 min)
    expect(await result.get({ timeout: 15 })).toBe(5);
    // The row goes when the relay commits, which may be after the worker ran the task.
    await until(() => s.count(s.table), (n) => n === 0);
    expect(s.client.transport.published).toEqual([result.id]);
    expect(s.runs.get(result.id)).toBe(1);
    expect(await s.count(s.orders)).toBe(1);
  });

  it('kysely: a rolled-back transaction leaves neither the business row nor the task', async () => {
    const s = await setup();
    const relay = await s.startRelay();
    let id = '';
    await expect(
      db.transaction().execute(async (trx) => {
        await sql`INSERT INTO ${sql.id(SCHEMA, s.orders)} (item) VALUES ('book')`.execute(trx);
        id = (await s.box.send(trx, s.client.add, [2, 3])).id;
        expect(await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.id(SCHEMA, s.table)}`.execute(trx)).toMatchObject({ rows: [{ n: '1' }] });
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    expect(id).not.toBe('');
    expect(await s.count(s.orders)).toBe(0);
    expect(await s.count(s.table)).toBe(0);
    expect(await relay.drain()).toBe(0);
    expect(s.client.transport.published).toEqual([]);
  });

  it('raw pg client: COMMIT wakes the running relay by NOTIFY; ROLLBACK sends nothing', async () => {
    const s = await setup();
    await s.worker.start();
    await s.startRelay(); // polls every 10 minutes: only the NOTIFY can wake it within the test
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`INSERT INTO "${SCHEMA}"."${s.orders}" (item) VALUES ('lost')`);
      const lost = await outbox(s.client.app, { schema: SCHEMA, table: s.table }).send(client, 'tasks.add', [1, 1]);
      await client.query('ROLLBACK');

      await client.query('BEGIN');
      await client.query(`INSERT INTO "${SCHEMA}"."${s.orders}" (item) VALUES ('kept')`);
      const kept = await sendInTransaction(client, s.client.add, [20, 22], {}, { outbox: { schema: SCHEMA, table: s.table } });
      await client.query('COMMIT');

      expect(await kept.get({ timeout: 15 })).toBe(42);
      expect(s.client.transport.published).toEqual([kept.id]);
      expect(s.runs.has(lost.id)).toBe(false);
      expect((await client.query(`SELECT item FROM "${SCHEMA}"."${s.orders}"`)).rows).toEqual([{ item: 'kept' }]);
      await until(() => s.count(s.table), (n) => n === 0);
    } finally {
      client.release();
    }
  });

  it('two relays on one table send every row exactly once', async () => {
    const s = await setup();
    await s.worker.start();
    const ids: string[] = [];
    for (let t = 0; t < 10; t += 1) {
      await db.transaction().execute(async (trx) => {
        for (let i = 0; i < 20; i += 1) ids.push((await s.box.send(trx, s.client.add, [t, i])).id);
      });
    }
    const a = s.makeApp();
    const b = s.makeApp();
    await Promise.all([s.startRelay({ batchSize: 7, pollIntervalMs: 20 }, a.app), s.startRelay({ batchSize: 7, pollIntervalMs: 20 }, b.app)]);
    await until(() => s.count(s.table), (n) => n === 0);
    const sent = [...a.transport.published, ...b.transport.published];
    expect(sent.sort()).toEqual([...ids].sort());
    await until(() => ids.filter((id) => s.runs.get(id) === 1).length, (n) => n === ids.length);
    expect([...s.runs.values()].every((n) => n === 1)).toBe(true);
  });

  it('a failed publish keeps the row (attempts, last_error) and sends it after the broker is back', async () => {
    const s = await setup();
    await s.worker.start();
    const result = await db.transaction().execute((trx) => s.box.send(trx, s.client.add, [4, 5], {}, { retry: false }));
    s.client.transport.failing = true;
    const relay = outboxRelay(s.client.app, { ...s.relayOptions, retryDelayMs: 20, maxRetryDelayMs: 20 });
    expect(await relay.drain()).toBe(0);
    const row = (await sql<{ attempts: number; last_error: string; task_id: string }>`SELECT attempts, last_error, task_id FROM ${sql.id(SCHEMA, s.table)}`.execute(db)).rows;
    expect(row).toEqual([{ attempts: 1, last_error: expect.stringContaining('broker is down (test)') as string, task_id: result.id }]);
    s.client.transport.failing = false;
    await until(() => relay.drain(), (n) => n === 1);
    expect(await result.get({ timeout: 15 })).toBe(9);
    expect(s.client.transport.published).toEqual([result.id]);
    expect(await s.count(s.table)).toBe(0);
  });

  it('the relay listens again after its LISTEN connection is killed', async () => {
    const s = await setup();
    await s.worker.start();
    await s.startRelay({ retryDelayMs: 20 });
    const listenQuery = `LISTEN "${SCHEMA}.${s.table}"`;
    const listeners = async () =>
      (await pool.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE query = $1 AND pid <> pg_backend_pid()', [listenQuery])).rows.map((r) => r.pid);
    const [first] = await until(listeners, (pids) => pids.length === 1);
    await pool.query('SELECT pg_terminate_backend($1)', [first]);
    await until(listeners, (pids) => pids.length === 1 && pids[0] !== first);
    // Polls every 10 minutes: only a NOTIFY heard on the new connection sends it within the test.
    const result = await db.transaction().execute((trx) => s.box.send(trx, s.client.add, [5, 5]));
    expect(await result.get({ timeout: 15 })).toBe(10);
  });

  it('a worker with outboxRelayPlugin relays the outbox as its outbox-relay bootstep', async () => {
    const table = `box_${randomUUID().slice(0, 8)}`;
    const s = await setup({ plugins: [outboxRelayPlugin({ connectionString: URL, schema: SCHEMA, table, pollIntervalMs: 600_000 })] });
    const box = outbox(s.client.app, { schema: SCHEMA, table });
    await ensureOutboxTable(db, { schema: SCHEMA, table });
    const result = await db.transaction().execute((trx) => box.send(trx, s.client.add, [1, 2]));
    await s.worker.start();
    expect(await result.get({ timeout: 15 })).toBe(3);
    expect(s.workerSide.transport.published).toEqual([result.id]);
    // Notify path through the plugin's relay too.
    const second = await db.transaction().execute((trx) => box.send(trx, s.client.add, [3, 4]));
    expect(await second.get({ timeout: 15 })).toBe(7);
  });
});
