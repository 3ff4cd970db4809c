/**
 * Native chords as Celery keeps them in Redis (database 2): `.j` members and scores, `.s` written by the client
 * before the last header task, completion on count = `.s` + `.t`, cleanup, and expiry of the chord keys.
 */
import type { TaskMeta } from '@q/core';
import { REDIS, servicesAvailable } from '@q/test-services';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chordKeys, redisBackend, type RedisBackend } from '../src/index.js';
import { URL_DB2, flushDb2, quitAll, rawClient, until, vector } from './redis-db.js';

const ok = await servicesAvailable('backend-redis', REDIS);
const DAY_MS = 86_400_000;

const success = (taskId: string, result: unknown, groupId: string): TaskMeta => ({
  taskId,
  status: 'SUCCESS',
  result,
  traceback: null,
  children: [],
  dateDone: '2026-11-22T02:39:42.489014',
  groupId,
});

describe.skipIf(!ok)('redis native chords (db 2)', () => {
  const open: RedisBackend[] = [];
  let raw: Redis;
  const backend = async (options: { chordExpires?: number | null } = {}): Promise<RedisBackend> => {
    const b = redisBackend({ url: URL_DB2, ...options });
    await b.connect();
    open.push(b);
    return b;
  };

  beforeAll(async () => {
    await flushDb2();
    raw = rawClient();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((b) => b.close()));
  });
  afterAll(async () => {
    await quitAll();
    await flushDb2();
  });

  it('declares native chords', async () => {
    expect((await backend()).capabilities.chords).toBe('native');
  });

  it('two header parts on two workers; .s written before the last part; body fires once with ordered results', async () => {
    const [w1, w2, client] = [await backend(), await backend(), await backend()];
    const gid = '1bfc64da-ca53-4896-bc26-ac72142e6c56';
    const keys = chordKeys(gid);
    const [id0, id1] = ['6a79cde6-cb4a-42c1-b77b-13fe7c640e4a', 'b1e2c3d4-0000-4000-8000-000000000001'];

    // The first header task finishes before the client wrote .s: it only adds itself.
    const m0 = success(id0, 2, gid);
    await w1.storeResult(m0, { expiresMs: DAY_MS });
    expect(await w1.onChordPartReturn({ groupId: gid, groupIndex: 0, taskId: id0, meta: m0 })).toEqual({ complete: false });
    const zadd = vector<{ command: string[] }>('redis-chord-join-zadd.json').command;
    expect(await raw.zrange(keys.join, 0, -1, 'WITHSCORES')).toEqual([zadd[3], zadd[2]]);
    expect(await raw.ttl(keys.join)).toBeGreaterThanOrEqual(86_399);

    // The client writes .s (SETEX 86400 "2" + PUBLISH), as Celery does before publishing the last header task.
    const sizeVector = vector<{ redis_key: string; ttl: string; stored_string: string }>('redis-chord-size-key.json');
    expect(keys.size).toBe(sizeVector.redis_key);
    const published: string[] = [];
    const sub = rawClient();
    sub.on('message', (_ch: string, m: string) => published.push(m));
    await sub.subscribe(keys.size);
    await client.setChordSize(gid, 2, { expiresMs: Number(sizeVector.ttl) * 1000 });
    expect(await raw.get(keys.size)).toBe(sizeVector.stored_string);
    expect(await raw.ttl(keys.size)).toBeGreaterThanOrEqual(Number(sizeVector.ttl) - 1);
    await until(() => published.length > 0, 3000, 'the PUBLISH of .s');
    expect(published).toEqual(['2']);

    const m1 = success(id1, 4, gid);
    await w2.storeResult(m1, { expiresMs: DAY_MS });
    expect(await w2.onChordPartReturn({ groupId: gid, groupIndex: 1, taskId: id1, meta: m1 })).toEqual({
      complete: true,
      results: [2, 4],
      failed: null,
    });
    expect(await raw.exists(keys.join, keys.extra, keys.size)).toBe(0);
  });

  it('orders by group_index, not by arrival, and counts the dynamic .t extra', async () => {
    const b = await backend();
    const gid = 'chord-extra';
    const keys = chordKeys(gid);
    await b.setChordSize(gid, 2, { expiresMs: DAY_MS });
    await raw.incr(keys.extra);
    const parts = [2, 0, 1].map((i) => ({ groupId: gid, groupIndex: i, taskId: `x${i}`, meta: success(`x${i}`, i * 10, gid) }));
    const progress = [];
    for (const part of parts) progress.push(await b.onChordPartReturn(part));
    expect(progress.map((p) => p.complete)).toEqual([false, false, true]);
    expect(progress[2]).toMatchObject({ results: [0, 10, 20] });
  });

  it('a header task without group_index scores +inf (last)', async () => {
    const b = await backend();
    const gid = 'chord-inf';
    await b.setChordSize(gid, 2, { expiresMs: null });
    await b.onChordPartReturn({ groupId: gid, groupIndex: null, taskId: 'late', meta: success('late', 'L', gid) });
    expect(await raw.zrange(chordKeys(gid).join, 0, -1, 'WITHSCORES')).toEqual(['[1, "late", "SUCCESS", "L"]', 'inf']);
    const last = await b.onChordPartReturn({ groupId: gid, groupIndex: 0, taskId: 'first', meta: success('first', 'F', gid) });
    expect(last).toMatchObject({ complete: true, results: ['F', 'L'] });
  });

  it('reports the failed member with its stored meta (traceback) and still cleans up', async () => {
    const b = await backend();
    const gid = 'chord-fail';
    await b.setChordSize(gid, 2, { expiresMs: DAY_MS });
    const bad: TaskMeta = {
      ...success('bad', null, gid),
      status: 'FAILURE',
      result: { exc_type: 'ValueError', exc_message: ['boom'], exc_module: 'builtins' },
      traceback: 'Traceback (most recent call last):\nValueError: boom',
    };
    await b.storeResult(bad, { expiresMs: DAY_MS });
    await b.onChordPartReturn({ groupId: gid, groupIndex: 0, taskId: 'bad', meta: bad });
    const good = success('good', 1, gid);
    const last = await b.onChordPartReturn({ groupId: gid, groupIndex: 1, taskId: 'good', meta: good });
    expect(last.complete).toBe(true);
    if (!last.complete) return;
    expect(last.failed?.taskId).toBe('bad');
    expect(last.failed?.meta.traceback).toContain('ValueError: boom');
    expect(await raw.exists(chordKeys(gid).join)).toBe(0);
  });

  it('falls back to the size the message carried when .s is missing', async () => {
    const b = await backend();
    const gid = 'chord-carried';
    const part = (i: number) => ({ groupId: gid, groupIndex: i, taskId: `c${i}`, meta: success(`c${i}`, i, gid), chordSize: 2 });
    expect((await b.onChordPartReturn(part(0))).complete).toBe(false);
    expect(await b.onChordPartReturn(part(1))).toEqual({ complete: true, results: [0, 1], failed: null });
  });

  it('uses chordExpires for the chord keys (null: none)', async () => {
    const short = await backend({ chordExpires: 60 });
    await short.onChordPartReturn({ groupId: 'exp', groupIndex: 0, taskId: 'e0', meta: success('e0', 0, 'exp') });
    expect(await raw.ttl(chordKeys('exp').join)).toBeLessThanOrEqual(60);
    const none = await backend({ chordExpires: null });
    await none.onChordPartReturn({ groupId: 'noexp', groupIndex: 0, taskId: 'n0', meta: success('n0', 0, 'noexp') });
    expect(await raw.ttl(chordKeys('noexp').join)).toBe(-1);
  });
});
