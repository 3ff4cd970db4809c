import { ConfigError, createApp } from '@q/core';
import { Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';
import type { CompiledQuery, DatabaseConnection, Driver, QueryResult } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeCall } from './outbox-call.js';
import { outbox, sendInTransaction } from './outbox.js';
import type { PgQueryable } from './outbox-executor.js';

/** A pg client that records its queries. */
function fakePg(): PgQueryable & { calls: { text: string; values: unknown[] }[] } {
  const calls: { text: string; values: unknown[] }[] = [];
  return {
    calls,
    query: (text, values) => {
      calls.push({ text, values });
      return Promise.resolve({ rows: [] });
    },
  };
}

/** A kysely instance on a driver that records the compiled queries. */
function recordingKysely(): { db: Kysely<unknown>; queries: CompiledQuery[] } {
  const queries: CompiledQuery[] = [];
  const connection: DatabaseConnection = {
    executeQuery: <R>(q: CompiledQuery): Promise<QueryResult<R>> => {
      queries.push(q);
      return Promise.resolve({ rows: [] });
    },
    // eslint-disable-next-line require-yield
    async *streamQuery() {
      throw new Error('not used');
    },
  };
  const driver: Driver = {
    init: () => Promise.resolve(),
    acquireConnection: () => Promise.resolve(connection),
    beginTransaction: () => Promise.resolve(),
    commitTransaction: () => Promise.resolve(),
    rollbackTransaction: () => Promise.resolve(),
    releaseConnection: () => Promise.resolve(),
    destroy: () => Promise.resolve(),
  };
  const db = new Kysely<unknown>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => driver,
      createIntrospector: (k) => new PostgresIntrospector(k),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
  return { db, queries };
}

const apps: ReturnType<typeof createApp>[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});
function app() {
  const a = createApp({ broker: 'memory://outbox-unit', backend: 'memory://outbox-unit' });
  apps.push(a);
  return a;
}

const INSERT = `WITH row AS (INSERT INTO "shop"."box" (task_id, task_name, payload) VALUES ($1, $2, $3) RETURNING id) SELECT pg_notify($4, '') FROM row`;

describe('outbox.send', () => {
  it('writes one row and its NOTIFY in one statement on a pg client, and returns the result handle', async () => {
    const a = app();
    const add = a.task({ name: 'tasks.add', expires: 30 }, (x: number, y: number) => x + y);
    const pgc = fakePg();
    const result = await outbox(a, { schema: 'shop', table: 'box' }).send(pgc, add, [1, 2], {}, { queue: 'math' });
    expect(pgc.calls).toHaveLength(1);
    const [call] = pgc.calls;
    expect(call?.text).toBe(INSERT);
    expect(call?.values[0]).toBe(result.id);
    expect(call?.values[1]).toBe('tasks.add');
    expect(call?.values[3]).toBe('shop.box');
    const stored = decodeCall(result.id, 'tasks.add', call?.values[2] as string);
    expect(stored.args).toEqual([1, 2]);
    expect(stored.options).toMatchObject({ taskId: result.id, queue: 'math', replyTo: a.oid });
    expect(typeof stored.options.expires).toBe('string'); // the task's default expiry, made absolute
  });

  it('runs on a kysely executor with the same text and parameters', async () => {
    const a = app();
    const { db, queries } = recordingKysely();
    const result = await outbox(a, { schema: 'shop', table: 'box' }).send<number>(db, 'remote.task', ['x'], { k: 1 });
    expect(queries).toHaveLength(1);
    expect(queries[0]?.sql).toBe(INSERT);
    expect(queries[0]?.parameters[0]).toBe(result.id);
    expect(queries[0]?.parameters[1]).toBe('remote.task');
    expect(decodeCall(result.id, 'remote.task', queries[0]?.parameters[2] as string).kwargs).toEqual({ k: 1 });
    await db.destroy();
  });

  it('refuses something that is not a transaction', async () => {
    await expect(outbox(app()).send({} as PgQueryable, 'x')).rejects.toBeInstanceOf(ConfigError);
  });
});

describe('sendInTransaction', () => {
  it("uses the task's app and the default table", async () => {
    const a = app();
    const echo = a.task('tasks.echo', (s: string) => s);
    const pgc = fakePg();
    const result = await sendInTransaction(pgc, echo, ['hi'], {}, { taskId: 'fixed-id' });
    expect(result.id).toBe('fixed-id');
    expect(pgc.calls[0]?.text).toContain('INSERT INTO "public"."q_outbox"');
    expect(pgc.calls[0]?.values[3]).toBe('public.q_outbox');
  });

  it('takes another table through options.outbox', async () => {
    const a = app();
    const echo = a.task('tasks.echo', (s: string) => s);
    const pgc = fakePg();
    await sendInTransaction(pgc, echo, ['hi'], {}, { outbox: { schema: 'x', table: 'y' } });
    expect(pgc.calls[0]?.text).toContain('INSERT INTO "x"."y"');
    expect(decodeCall('i', 'n', pgc.calls[0]?.values[2] as string).options).not.toHaveProperty('outbox');
  });
});
