/**
 * The Redis beat store and lock against a private redis-server (`privateRedis` of `@q/test-services`, on a free
 * port, stopped in afterAll): the shared Redis' databases are all taken by other suites.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BeatState } from '@q/core';
import { freePort, missingRedisServer, privateRedis, runsHere, type PrivateRedis } from '@q/test-services';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { redisBeatLock, redisBeatStore } from '../src/index.js';

const runs = runsHere('backend-redis beat store and lock', [missingRedisServer()]);

const STATE: BeatState = {
  timezone: 'Europe/Paris',
  entries: { 'add-every-30s': { lastRunAt: '2026-12-07T20:00:00.000+01:00', totalRunCount: 3 }, nightly: { lastRunAt: null, totalRunCount: 0 } },
};

describe.skipIf(!runs)('redis beat store and lock (private redis-server)', () => {
  let dir: string;
  let server: PrivateRedis;
  let url: string;
  let raw: Redis;
  const closing: { close(): Promise<void> }[] = [];
  const open = <T extends { close(): Promise<void> }>(x: T): T => (closing.push(x), x);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'q-redis-beat-'));
    server = privateRedis(await freePort(), dir);
    await server.start();
    url = `redis://127.0.0.1:${server.port}/0`;
    raw = new Redis({ host: '127.0.0.1', port: server.port, lazyConnect: true });
    await raw.connect();
  });
  afterEach(async () => {
    await Promise.all(closing.splice(0).map((x) => x.close()));
    await raw.flushdb();
  });
  afterAll(async () => {
    await raw.quit();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('store: nothing stored loads as null', async () => {
    expect(await open(redisBeatStore({ url, name: 'empty' })).load()).toBeNull();
  });

  it('store: a saved state loads back from another store of the same name, as one JSON document', async () => {
    await open(redisBeatStore({ url, name: 'app' })).save(STATE);
    expect(await open(redisBeatStore({ url, name: 'app' })).load()).toEqual(STATE);
    expect(JSON.parse((await raw.get('q:beat:app:state')) ?? 'null')).toEqual(STATE);
    expect(await raw.pttl('q:beat:app:state')).toBe(-1);
  });

  it("store: two beats' names keep their states apart", async () => {
    const a = open(redisBeatStore({ url, name: 'a' }));
    const b = open(redisBeatStore({ url, name: 'b' }));
    await a.save(STATE);
    expect(await b.load()).toBeNull();
    const other: BeatState = { timezone: 'UTC', entries: {} };
    await b.save(other);
    expect(await a.load()).toEqual(STATE);
    expect(await b.load()).toEqual(other);
  });

  it('store: a document that is not a beat state loads as null (the beat starts afresh)', async () => {
    await raw.set('q:beat:bad:state', '{"not":"a state"');
    expect(await open(redisBeatStore({ url, name: 'bad' })).load()).toBeNull();
  });

  it('store: describe names the server and key, not the password', () => {
    const store = open(redisBeatStore({ url: `redis://:secret@127.0.0.1:${server.port}/0`, name: 'app' }));
    expect(store.describe()).toBe(`redis://:***@127.0.0.1:${server.port}/0 key q:beat:app:state`);
  });

  it('lock: exclusive between two instances; renewing keeps it and extends its TTL', async () => {
    const a = open(redisBeatLock({ url, name: 'app' }));
    const b = open(redisBeatLock({ url, name: 'app' }));
    expect(await a.acquire(5_000)).toBe(true);
    expect(await b.acquire(5_000)).toBe(false);
    expect(await raw.get('q:beat:app:lock')).toBe(a.token);
    expect(await a.acquire(60_000)).toBe(true);
    expect(await raw.pttl('q:beat:app:lock')).toBeGreaterThan(5_000);
    expect(await b.acquire(5_000)).toBe(false);
  });

  it('lock: release hands over at once; a release by a non-holder deletes nothing', async () => {
    const a = open(redisBeatLock({ url, name: 'app' }));
    const b = open(redisBeatLock({ url, name: 'app' }));
    expect(await a.acquire(60_000)).toBe(true);
    await b.release();
    expect(await raw.get('q:beat:app:lock')).toBe(a.token);
    await a.release();
    expect(await b.acquire(60_000)).toBe(true);
    expect(await a.acquire(60_000)).toBe(false);
  });

  it('lock: a holder that stops renewing loses the lease when its TTL runs out, and cannot renew it back', async () => {
    const a = open(redisBeatLock({ url, name: 'app' }));
    const b = open(redisBeatLock({ url, name: 'app' }));
    expect(await a.acquire(200)).toBe(true);
    expect(await b.acquire(200)).toBe(false);
    let taken = false;
    for (let i = 0; i < 100 && !taken; i++) {
      await new Promise((r) => setTimeout(r, 50));
      taken = await b.acquire(60_000);
    }
    expect(taken).toBe(true);
    expect(await a.acquire(60_000)).toBe(false);
  });

  it("lock: two names' locks are apart", async () => {
    expect(await open(redisBeatLock({ url, name: 'a' })).acquire(60_000)).toBe(true);
    expect(await open(redisBeatLock({ url, name: 'b' })).acquire(60_000)).toBe(true);
  });
});
