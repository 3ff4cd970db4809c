/**
 * The canvas on the Redis backend (database 2), where chords are joined natively: every header task reports its
 * part (`.j`), the client wrote the size (`.s`) first, the last part sends the body, no `celery.chord_unlock` is
 * sent, and the chord keys are gone afterwards. Failures: a failed or expired (revoked) header task fails the body
 * with a `ChordError`; a chord inside a chain, a chord of chains, the chain→chord upgrade.
 */
import { chain, chord, createApp, group, memoryQueueDriver, silentLogger } from '@q/core';
import type { App, GroupResult, Signature } from '@q/core';
import { REDIS, servicesAvailable } from '@q/test-services';
import { createWorker, type Worker } from '@q/worker';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { redisBackend } from '../src/index.js';
import { URL_DB2, flushDb2, monitorRedis, quitAll, rawClient } from './redis-db.js';

const ok = await servicesAvailable('backend-redis', REDIS);
const T = { timeout: 10 };

describe.skipIf(!ok)('canvas with native chords on Redis (db 2)', () => {
  let seq = 0;
  const open: { app: App; worker: Worker }[] = [];

  async function setup() {
    seq += 1;
    const app = createApp({ name: 'canvas', broker: memoryQueueDriver({ namespace: `canvas-${process.pid}-${seq}` }), backend: redisBackend(URL_DB2) });
    const add = app.task({ name: 'tasks.add', params: ['x', 'y'] }, (x: number, y: number) => x + y);
    const mul = app.task({ name: 'tasks.mul', params: ['x', 'y'] }, (x: number, y: number) => x * y);
    const xsum = app.task({ name: 'tasks.xsum', params: ['xs'] }, (xs: number[]) => xs.reduce((a, b) => a + b, 0));
    const fail = app.task({ name: 'tasks.fail', params: ['message'] }, (message: string): number => {
      throw new TypeError(message);
    });
    const worker = createWorker(app, { logger: silentLogger, hostname: `w${seq}@canvas`, concurrency: 8, closeApp: false });
    await worker.start();
    open.push({ app, worker });
    return { app, add, mul, xsum, fail };
  }

  beforeAll(flushDb2);
  afterEach(async () => {
    for (const { app, worker } of open.splice(0)) {
      await worker.stop({ graceful: false });
      await app.close();
    }
  });
  afterAll(async () => {
    await quitAll();
    await flushDb2();
  });

  it('a chord of 50 joins natively: the size key first, one body, no chord_unlock, keys cleaned up', async () => {
    const { add, xsum } = await setup();
    const commands: string[][] = [];
    const monitor = await monitorRedis((c) => {
      if (c.db === 2) commands.push(c.args);
    });
    try {
      const header = Array.from({ length: 50 }, (_, i) => add.s(i, i));
      const r = await chord(header, xsum.s()).applyAsync();
      expect(await r.get(T)).toBe(2450);
      const gid = (r.parent as GroupResult).id;
      const sizeWrite = commands.findIndex((a) => a[0]?.toUpperCase() === 'SETEX' && a[1] === `celery-taskset-meta-${gid}.s`);
      expect(sizeWrite).toBeGreaterThanOrEqual(0);
      expect(commands[sizeWrite]?.[3]).toBe('50');
      const zadds = commands.filter((a) => a[0]?.toUpperCase() === 'ZADD' && a[1] === `celery-taskset-meta-${gid}.j`);
      expect(zadds).toHaveLength(50);
      // Nothing was ever stored for a chord_unlock task: the join is Redis's.
      expect(commands.some((a) => a.some((x) => x.includes('chord_unlock')))).toBe(false);
      const raw = rawClient();
      await new Promise((res) => setTimeout(res, 100));
      expect(await raw.exists(`celery-taskset-meta-${gid}.j`, `celery-taskset-meta-${gid}.s`)).toBe(0);
      const body = JSON.parse((await raw.get(`celery-task-meta-${r.id}`)) as string) as Record<string, unknown>;
      expect(body).toMatchObject({ status: 'SUCCESS', result: 2450 });
      // The body's parent is the header task that completed the chord.
      expect((r.parent as GroupResult).results.map((m) => m.id)).toContain(body.parent_id);
    } finally {
      monitor.stop();
    }
  });

  it('a failed header task fails the body with ChordError naming it', async () => {
    const { add, fail, xsum } = await setup();
    const r = await chord([add.s(1, 1), fail.s('boom'), add.s(2, 2)], xsum.s()).applyAsync();
    const err = await r.get({ ...T, followParents: false }).catch((e: unknown) => e);
    const failedId = (r.parent as GroupResult).results[1]?.id as string;
    expect(err).toMatchObject({ excType: 'ChordError', excModule: 'celery.exceptions' });
    expect((err as Error).message).toContain(`Dependency ${failedId} raised TypeError('boom')`);
  });

  it('an expired header task (revoked, never run) fails the chord instead of leaving it waiting', async () => {
    const { add, xsum } = await setup();
    const expired = add.s(1, 1).set({ expires: new Date(Date.now() - 1000) }) as Signature<[], number>;
    const r = await chord([add.s(2, 2), expired], xsum.s()).applyAsync();
    const err = await r.get({ ...T, followParents: false }).catch((e: unknown) => e);
    expect(err).toMatchObject({ excType: 'ChordError' });
    expect((err as Error).message).toMatch(/raised TaskRevokedError\('expired'\)/);
  });

  it('chain → chord upgrade, a chord inside a chain, a chord of chains', async () => {
    const { add, mul, xsum } = await setup();
    expect(await (await chain(group([add.s(1, 1), add.s(2, 2)]), xsum.s()).applyAsync()).get(T)).toBe(6);
    expect(await (await chain(add.s(1, 1), chord([add.s(1), add.s(2)], xsum.s()), mul.s(10)).applyAsync()).get(T)).toBe(70);
    expect(await (await chord([chain(add.s(1, 1), mul.s(10)), chain(add.s(2, 2), mul.s(10))], xsum.s()).applyAsync()).get(T)).toBe(60);
  });
});
