/**
 * Byte-level compatibility with Celery's Redis backend (database 2): stored strings equal what Python wrote for
 * the same meta, the same string is PUBLISHed on the key, TTL = result_expires, a SUCCESS is final, and waiting on
 * a result uses pub/sub, not a GET loop.
 */
import { readdirSync } from 'node:fs';
import { createApp, type TaskMeta } from '@q/core';
import { decodeResultDocument } from '@q/core/adapter';
import { REDIS, servicesAvailable } from '@q/test-services';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { redisBackend, type RedisBackend } from '../src/index.js';
import { DB, URL_DB2, VECTORS, flushDb2, monitorRedis, quitAll, rawClient, until, vector } from './redis-db.js';

const ok = await servicesAvailable('backend-redis', REDIS);

interface ResultVector {
  redis_key: string;
  ttl: string;
  stored_string: string;
}

const RESULT_VECTORS = readdirSync(VECTORS).filter((f) => /^result-.*\.json$/.test(f));
const DAY_MS = 86_400_000;

/** A raw subscriber recording every message per channel. */
async function spy(channel: string): Promise<{ messages: string[]; client: Redis }> {
  const client = rawClient();
  const messages: string[] = [];
  client.on('message', (ch: string, message: string) => {
    if (ch === channel) messages.push(message);
  });
  await client.subscribe(channel);
  return { messages, client };
}

describe.skipIf(!ok)('redis backend on the wire (db 2)', () => {
  const open: RedisBackend[] = [];
  let raw: Redis;
  const backend = async (): Promise<RedisBackend> => {
    const b = redisBackend(URL_DB2);
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

  it.each(RESULT_VECTORS)('%s: stores and publishes exactly Python\'s string, with TTL result_expires', async (file) => {
    const v = vector<ResultVector>(file);
    const b = await backend();
    await raw.del(v.redis_key);
    const sub = await spy(v.redis_key);
    const meta = decodeResultDocument(v.stored_string);
    await b.storeResult(meta, { expiresMs: Number(v.ttl) * 1000 });
    expect(await raw.get(v.redis_key)).toBe(v.stored_string);
    expect(await raw.ttl(v.redis_key)).toBeGreaterThanOrEqual(Number(v.ttl) - 1);
    expect(await raw.ttl(v.redis_key)).toBeLessThanOrEqual(Number(v.ttl));
    await until(() => sub.messages.length > 0, 3000, 'the PUBLISH');
    expect(sub.messages).toEqual([v.stored_string]);
    expect(await b.getTaskMeta(meta.taskId)).toEqual(meta);
  });

  it('stores with plain SET (no TTL) when result_expires is off', async () => {
    const b = await backend();
    const meta = decodeResultDocument(vector<ResultVector>('result-success.json').stored_string);
    await raw.del(`celery-task-meta-${meta.taskId}`);
    await b.storeResult(meta, { expiresMs: null });
    expect(await raw.ttl(`celery-task-meta-${meta.taskId}`)).toBe(-1);
  });

  it('never overwrites a SUCCESS with a late STARTED or RETRY, even concurrently, and publishes nothing then', async () => {
    const [a, b] = [await backend(), await backend()];
    const v = vector<ResultVector>('result-success.json');
    await raw.del(v.redis_key);
    const success = decodeResultDocument(v.stored_string);
    await a.storeResult(success, { expiresMs: DAY_MS });
    const sub = await spy(v.redis_key);
    const late: TaskMeta[] = [
      { ...success, status: 'STARTED', result: { pid: 1, hostname: 'w@h' }, dateDone: null },
      { ...success, status: 'RETRY', result: { exc_type: 'KeyError', exc_message: ['x'], exc_module: 'builtins' }, dateDone: null },
    ];
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).storeResult(late[i % 2] as TaskMeta, { expiresMs: DAY_MS })));
    expect(await raw.get(v.redis_key)).toBe(v.stored_string);
    await raw.publish(v.redis_key, 'marker');
    await until(() => sub.messages.includes('marker'), 3000, 'the marker');
    expect(sub.messages).toEqual(['marker']);
  });

  it('recognises a SUCCESS written by others, also one cjson cannot read or with status not first', async () => {
    const b = await backend();
    const nan = '{"status": "SUCCESS", "result": NaN, "traceback": null, "children": [], "date_done": "2026-11-22T02:39:41.344238", "task_id": "nan"}';
    const reordered = '{"task_id": "late", "result": 1, "status": "SUCCESS"}';
    await raw.set('celery-task-meta-nan', nan);
    await raw.set('celery-task-meta-late', reordered);
    const started = (taskId: string): TaskMeta => ({ taskId, status: 'STARTED', result: null, traceback: null, children: [], dateDone: null });
    await b.storeResult(started('nan'), { expiresMs: null });
    await b.storeResult(started('late'), { expiresMs: null });
    expect(await raw.get('celery-task-meta-nan')).toBe(nan);
    expect(await raw.get('celery-task-meta-late')).toBe(reordered);
    await raw.set('celery-task-meta-late', '{"status": "FAILURE", "result": null}');
    await b.storeResult(started('late'), { expiresMs: null });
    expect((await b.getTaskMeta('late'))?.status).toBe('STARTED');
  });

  it('stores the results of one turn in one call, in order, each settling with its own outcome', async () => {
    const b = await backend();
    const meta = (taskId: string, status: string, result: unknown): TaskMeta => ({ taskId, status, result, traceback: null, children: [], dateDone: null }) as TaskMeta;
    await raw.del('celery-task-meta-b1', 'celery-task-meta-b2', 'celery-task-meta-b3');
    await raw.hset('celery-task-meta-b3', 'not', 'a string');
    const sub = await spy('celery-task-meta-b1');
    const scriptCalls: string[][] = [];
    const monitor = await monitorRedis(({ db, args }) => {
      if (db === DB && /^eval(sha)?$/i.test(args[0] ?? '') && args.some((a) => a.startsWith('celery-task-meta-b'))) scriptCalls.push(args);
    });
    const outcomes = await Promise.allSettled([
      b.storeResult(meta('b1', 'STARTED', null), { expiresMs: null }),
      b.storeResult(meta('b1', 'SUCCESS', 1), { expiresMs: DAY_MS }),
      b.storeResult(meta('b3', 'SUCCESS', 3), { expiresMs: DAY_MS }),
      b.storeResult(meta('b1', 'RETRY', null), { expiresMs: DAY_MS }),
      b.storeResult(meta('b2', 'SUCCESS', 2), { expiresMs: 1500 }),
    ]);
    await until(() => scriptCalls.length > 0, 3000, 'the script call');
    monitor.stop();
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(String((outcomes[2] as PromiseRejectedResult).reason)).toMatch(/WRONGTYPE/);
    expect(scriptCalls).toHaveLength(1);
    expect(scriptCalls[0]?.slice(2, 8)).toEqual(['5', 'celery-task-meta-b1', 'celery-task-meta-b1', 'celery-task-meta-b3', 'celery-task-meta-b1', 'celery-task-meta-b2']);
    expect((await b.getTaskMeta('b1'))?.status).toBe('SUCCESS');
    expect(await raw.ttl('celery-task-meta-b1')).toBe(86_400);
    expect((await b.getTaskMeta('b2'))?.result).toBe(2);
    expect(await raw.pttl('celery-task-meta-b2')).toBeGreaterThan(1000);
    await until(() => sub.messages.length >= 2, 3000, 'two publishes');
    expect(sub.messages.map((m) => decodeResultDocument(m).status)).toEqual(['STARTED', 'SUCCESS']);
  });

  it('saves a group as Python does (SETEX + PUBLISH), restores and deletes it', async () => {
    const v = vector<ResultVector & { document: { result: unknown } }>('group-meta.json');
    const b = await backend();
    const sub = await spy(v.redis_key);
    const gid = v.redis_key.replace('celery-taskset-meta-', '');
    await b.saveGroup(gid, v.document.result, { expiresMs: DAY_MS });
    expect(await raw.get(v.redis_key)).toBe(v.stored_string);
    expect(await raw.ttl(v.redis_key)).toBeGreaterThanOrEqual(86_399);
    await until(() => sub.messages.length > 0, 3000, 'the PUBLISH');
    expect(sub.messages).toEqual([v.stored_string]);
    expect(await b.restoreGroup(gid)).toEqual(v.document.result);
    await b.deleteGroup(gid);
    expect(await raw.exists(v.redis_key)).toBe(0);
  });

  it('getMany is one MGET; forget is DEL', async () => {
    const b = await backend();
    const meta = (id: string): TaskMeta => ({ taskId: id, status: 'SUCCESS', result: id, traceback: null, children: [], dateDone: '2026-11-22T02:39:41.344238' });
    await b.storeResult(meta('m1'), { expiresMs: null });
    await b.storeResult(meta('m2'), { expiresMs: null });
    const commands: string[][] = [];
    const monitor = await monitorRedis(({ db, args }) => {
      if (db === DB && args.some((a) => a.startsWith('celery-task-meta-m'))) commands.push(args);
    });
    expect((await b.getMany(['m2', 'none', 'm1'])).map((m) => m?.result ?? null)).toEqual(['m2', null, 'm1']);
    await b.forget('m1');
    await until(() => commands.length >= 2, 3000, 'the monitored commands');
    expect(commands).toEqual([
      ['mget', 'celery-task-meta-m2', 'celery-task-meta-none', 'celery-task-meta-m1'],
      ['del', 'celery-task-meta-m1'],
    ]);
    monitor.stop();
  });

  it('AsyncResult.get() is woken by the PUBLISH: one fast GET, SUBSCRIBE, one re-check GET, no polling', async () => {
    const app = createApp({ broker: 'memory://redis-wire', backend: redisBackend(URL_DB2) });
    const writer = await backend();
    const id = 'watched-no-poll';
    const key = `celery-task-meta-${id}`;
    const seen: string[] = [];
    const monitor = await monitorRedis(({ db, source, args }) => {
      if (db === DB && source !== 'lua' && args.includes(key)) seen.push((args[0] ?? '').toUpperCase());
    });
    try {
      const waiting = app.asyncResult<number>(id).get({ timeout: 5 });
      await until(() => seen.filter((c) => c === 'GET').length === 2, 3000, 'the waiter\'s two GETs');
      await new Promise((r) => setTimeout(r, 300)); // a polling waiter would GET again meanwhile
      await writer.storeResult(
        { taskId: id, status: 'SUCCESS', result: 42, traceback: null, children: [], dateDone: '2026-11-22T02:39:41.344238' },
        { expiresMs: DAY_MS },
      );
      expect(await waiting).toBe(42);
      await until(() => seen.includes('UNSUBSCRIBE'), 3000, 'the UNSUBSCRIBE');
      const waiterCommands = seen.filter((c) => c !== 'EVALSHA' && c !== 'EVAL');
      // The first GET runs alongside the SUBSCRIBE (a finished task answers in one round trip); a second
      // GET after the SUBSCRIBE closes the race with a PUBLISH sent in between. A polling waiter would GET more.
      expect([...waiterCommands].sort()).toEqual(['GET', 'GET', 'SUBSCRIBE', 'UNSUBSCRIBE']);
      expect(waiterCommands.lastIndexOf('GET')).toBeGreaterThan(waiterCommands.indexOf('SUBSCRIBE'));
      expect(waiterCommands.at(-1)).toBe('UNSUBSCRIBE');
    } finally {
      monitor.stop();
      await app.close();
    }
  });

  it('multiplexes watched ids over one subscriber connection and resubscribes after it is killed', async () => {
    const clientName = `q-test-resub-${process.pid}`;
    const b = redisBackend({ url: URL_DB2, transportOptions: { clientName } });
    open.push(b);
    await b.connect();
    const writer = await backend();
    const got = new Map<string, TaskMeta>();
    const ids = ['mx-1', 'mx-2', 'mx-3'];
    await Promise.all(ids.map((id) => b.watch(id, (m) => got.set(id, m))));
    const clients = async (): Promise<string[]> =>
      String(await raw.client('LIST')).split('\n').filter((line: string) => line.includes(`name=${clientName} `));
    const subscribers = (await clients()).filter((line) => / sub=3 /.test(line));
    expect(subscribers).toHaveLength(1);
    const done = (id: string): TaskMeta => ({ taskId: id, status: 'SUCCESS', result: id, traceback: null, children: [], dateDone: '2026-11-22T02:39:41.344238' });

    const killedId = /\bid=(\d+)/.exec(subscribers[0] as string)?.[1] as string;
    await raw.client('KILL', 'ID', killedId);
    await writer.storeResult(done('mx-1'), { expiresMs: DAY_MS }); // published while the subscriber is down
    await until(() => got.has('mx-1'), 5000, 'the result stored during the outage');
    const deadline = Date.now() + 5000;
    while ((await clients()).filter((l) => / sub=3 /.test(l) && !l.includes(`id=${killedId} `)).length !== 1) {
      if (Date.now() > deadline) throw new Error('not resubscribed');
      await new Promise((r) => setTimeout(r, 20));
    }
    await writer.storeResult(done('mx-2'), { expiresMs: DAY_MS });
    await writer.storeResult(done('mx-3'), { expiresMs: DAY_MS });
    await until(() => got.size === 3, 3000, 'results after the reconnect');
    expect([...got.values()].map((m) => m.result).sort()).toEqual(ids);
  });
});
