/**
 * The PostgreSQL beat store and lock on the shared server, in schema `q_test_beat` of database `test` (created
 * fresh, dropped at the end).
 */
import type { BeatState } from '@q/core';
import { POSTGRES, servicesAvailable } from '@q/test-services';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pgBeatLock, pgBeatStore } from '../src/index.js';
import { PG_URL, dropSchema, freshSchema, pgExec } from './pg-schema.js';

const ok = await servicesAvailable('backend-pg beat store and lock', POSTGRES);
const SCHEMA = 'q_test_beat';

const STATE: BeatState = {
  timezone: 'Europe/Paris',
  entries: { 'add-every-30s': { lastRunAt: '2026-12-07T20:00:00.000+01:00', totalRunCount: 3 }, nightly: { lastRunAt: null, totalRunCount: 0 } },
};

describe.skipIf(!ok)('postgresql beat store and lock (schema q_test_beat)', () => {
  const closing: { close(): Promise<void> }[] = [];
  const open = <T extends { close(): Promise<void> }>(x: T): T => (closing.push(x), x);
  const store = (name: string) => open(pgBeatStore({ url: PG_URL, schema: SCHEMA, name }));
  const lock = (name: string) => open(pgBeatLock({ url: PG_URL, name: `${SCHEMA}:${name}` }));

  beforeAll(() => dropSchema(SCHEMA));
  afterEach(async () => {
    await Promise.all(closing.splice(0).map((x) => x.close()));
  });
  afterAll(() => dropSchema(SCHEMA));

  it('store: nothing stored loads as null (the schema and table are created on first use)', async () => {
    expect(await store('empty').load()).toBeNull();
    expect(await pgExec(`SELECT count(*)::int AS n FROM "${SCHEMA}".q_beat_state`)).toEqual([{ n: 0 }]);
  });

  it('store: a saved state loads back from another store of the same name; saving again replaces it', async () => {
    await store('app').save(STATE);
    expect(await store('app').load()).toEqual(STATE);
    const later: BeatState = { timezone: 'UTC', entries: { nightly: { lastRunAt: '2026-12-08T00:00:00.000Z', totalRunCount: 1 } } };
    await store('app').save(later);
    expect(await store('app').load()).toEqual(later);
    expect(await pgExec(`SELECT state FROM "${SCHEMA}".q_beat_state WHERE name = 'app'`)).toEqual([{ state: later }]);
  });

  it("store: two beats' names keep their states apart", async () => {
    await freshSchema(SCHEMA);
    const a = store('a');
    const b = store('b');
    await a.save(STATE);
    expect(await b.load()).toBeNull();
    const other: BeatState = { timezone: 'UTC', entries: {} };
    await b.save(other);
    expect(await a.load()).toEqual(STATE);
    expect(await b.load()).toEqual(other);
  });

  it('store: stores starting together create the table once, without error', async () => {
    await dropSchema(SCHEMA);
    const stores = Array.from({ length: 4 }, (_, i) => store(`race-${i}`));
    expect(await Promise.all(stores.map((s) => s.load()))).toEqual([null, null, null, null]);
  });

  it('store: a row that is not a beat state loads as null (the beat starts afresh)', async () => {
    await store('bad').load();
    await pgExec(`INSERT INTO "${SCHEMA}".q_beat_state (name, state) VALUES ('bad', '{"not":"a state"}')`);
    expect(await store('bad').load()).toBeNull();
  });

  it('lock: exclusive between two instances; renewing keeps it', async () => {
    const a = lock('app');
    const b = lock('app');
    expect(await a.acquire(5_000)).toBe(true);
    expect(await b.acquire(5_000)).toBe(false);
    expect(await a.acquire(5_000)).toBe(true);
    expect(await a.acquire(5_000)).toBe(true);
    expect(await b.acquire(5_000)).toBe(false);
  });

  it('lock: release hands over at once; a release by a non-holder changes nothing', async () => {
    const a = lock('app');
    const b = lock('app');
    expect(await a.acquire(5_000)).toBe(true);
    await b.release();
    expect(await b.acquire(5_000)).toBe(false);
    await a.release();
    expect(await b.acquire(5_000)).toBe(true);
    expect(await a.acquire(5_000)).toBe(false);
  });

  it("lock: a holder's connection that ends (closed, or killed by the server) hands the lock over", async () => {
    const a = lock('app');
    const b = lock('app');
    const c = lock('app');
    expect(await a.acquire(5_000)).toBe(true);
    await a.close();
    expect(await b.acquire(5_000)).toBe(true);
    expect(await c.acquire(5_000)).toBe(false);
    await pgExec('SELECT pg_terminate_backend($1)', [b.pid]);
    let taken = false;
    for (let i = 0; i < 100 && !taken; i++) {
      taken = await c.acquire(5_000);
      if (!taken) await new Promise((r) => setTimeout(r, 20));
    }
    expect(taken).toBe(true);
    // b lost its session: its next call rejects (Q_ERR_CONNECTION_LOST) or, when the driver saw the end first,
    // reconnects; either way it no longer holds the lock.
    const renewed = await b.acquire(5_000).catch((error: unknown) => (error as { code?: string }).code);
    expect([false, 'Q_ERR_CONNECTION_LOST']).toContain(renewed);
    expect(await b.acquire(5_000)).toBe(false);
  });

  it("lock: two names' locks are apart", async () => {
    expect(await lock('a').acquire(5_000)).toBe(true);
    expect(await lock('b').acquire(5_000)).toBe(true);
  });
});
