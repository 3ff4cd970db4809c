/**
 * `close()` while a connection of the transport is still being made (the command connections during `connect()`,
 * the blocking connection of a first BRPOP, the subscriber connection of a fanout PSUBSCRIBE) or is waiting (a
 * BRPOP in flight): it returns at once, what was waiting on it settles, and nothing is left running — the process
 * exits right away (it used to linger ~2 s on the timer ioredis leaves when a connection still being made is
 * dropped) and no timer or socket stays behind in-process. A warm close still sends what was issued before it.
 *
 * The scenarios are `test/fixtures/closing-scenarios.ts`; the child-process checks run them through
 * `test/fixtures/close-while-connecting.ts`. Everything uses Redis database 13 (flushed before and after; only 13).
 */
import { fileURLToPath } from 'node:url';
import { kombuEnvelope } from '@q/conformance';
import { activeHandles, REDIS, runTsFixture, servicesAvailable, type FixtureRun } from '@q/test-services';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisQueueDriver } from '../src/index.js';
import { MODES, prepare } from './fixtures/closing-scenarios.js';
import { sleep } from './helpers.js';

const DB = 13;
const URL_DB13 = `redis://127.0.0.1:6379/${DB}`;
const fixture = fileURLToPath(new URL('./fixtures/close-while-connecting.ts', import.meta.url));

const ok = await servicesAvailable('transport-redis', REDIS);

/** A raw client on database 13 (refuses any other). */
function db13(): Redis {
  const client = new Redis({ host: '127.0.0.1', port: 6379, db: DB, maxRetriesPerRequest: 1 });
  if (client.options.db !== DB) throw new Error(`refusing to use a database other than ${DB}`);
  return client;
}

/** FLUSHDB on database 13 only. */
async function flushDb13(): Promise<void> {
  const client = db13();
  try {
    await client.flushdb();
  } finally {
    await client.quit();
  }
}

/** What the child printed once close() returned. */
type ChildReport = { closeMs: number; statuses: Record<string, string>; outcome: unknown };

const runChild = (mode: string): Promise<FixtureRun<ChildReport>> => runTsFixture<ChildReport>(fixture, [URL_DB13, mode]);

describe.skipIf(!ok)('close() while a connection is being made or waiting (db 13)', () => {
  beforeAll(flushDb13);
  afterAll(flushDb13);

  for (const mode of MODES) {
    it(`${mode}: close() returns at once, what waited settles, and the process exits at once`, async () => {
      const outcome = await runChild(mode);
      const context = JSON.stringify(outcome);
      expect(outcome.code, context).toBe(0);
      expect(outcome.stderr, context).toBe(''); // no unhandled rejection, no ioredis noise
      expect(outcome.report?.closeMs, context).toBeLessThan(500);
      const statuses = Object.values(outcome.report?.statuses ?? {});
      expect(statuses.length, context).toBeGreaterThanOrEqual(2);
      expect(new Set(statuses), context).toEqual(new Set(['end']));
      expect(outcome.report?.outcome, context).not.toBe('pending');
      expect(outcome.exitMs, context).not.toBeNull();
      expect(outcome.exitMs as number, context).toBeLessThan(1000);
    });
  }

  it('a connect() cut short by close() rejects with a ConnectionError', async () => {
    for (const mode of ['same-tick', 'next-tick', 'on-connect'] as const) {
      const scenario = await prepare(URL_DB13, mode, `close-connecting-${mode}-${process.pid}`);
      await scenario.close();
      await sleep(0);
      expect(scenario.outcome(), mode).toMatchObject({ name: 'ConnectionError', code: 'Q_ERR_CONNECTION_LOST' });
    }
  });

  it('in-process: closing in each scenario leaves no timer or socket behind', async () => {
    await sleep(20);
    const before = activeHandles();
    for (const mode of MODES) {
      const scenario = await prepare(URL_DB13, mode, `close-connecting-in-${mode}-${process.pid}`);
      await scenario.close();
      expect(new Set(Object.values(scenario.statuses())), mode).toEqual(new Set(['end']));
    }
    await sleep(20); // a handshake failing after the close calls disconnect() again: nothing must start
    expect(activeHandles(), String(process.getActiveResourcesInfo())).toBeLessThanOrEqual(before);
  });

  it('a warm close still sends what was issued before it: puts land, acks are recorded', async () => {
    const redis = db13();
    try {
      const queue = `close-connecting-warm-${process.pid}`;
      const envelope = (n: number): string => kombuEnvelope({ body: `m${n}`, tag: `${queue}-t${n}`, routingKey: queue });
      const first = redisQueueDriver(URL_DB13);
      await first.connect();
      await first.put(queue, envelope(1), { priority: 0, tag: `${queue}-t1` });
      const [lease] = await first.reserve([queue], { max: 1, waitMs: 0 });
      expect(lease?.tag).toBe(`${queue}-t1`);
      expect(await redis.hlen('unacked')).toBe(1);
      // Neither awaited: close() must let both go out before the connections QUIT.
      const acked = first.ack(lease as NonNullable<typeof lease>);
      const put = first.put(queue, envelope(2), { priority: 0, tag: `${queue}-t2` });
      await first.close();
      await expect(Promise.all([acked, put])).resolves.toEqual([undefined, undefined]);
      expect(await redis.hlen('unacked')).toBe(0);
      expect(await redis.lrange(queue, 0, -1)).toEqual([envelope(2)]);
      await redis.del(queue);
    } finally {
      await redis.quit();
    }
  });
});
