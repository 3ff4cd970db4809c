import { mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeEnvelope, encodeEnvelope } from '../protocol/envelope.js';
import { filesystemQueueDriver } from './filesystem-queue-driver.js';

const root = mkdtempSync(join(tmpdir(), 'q-fsq-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = (): string => join(root, String(++n));
const env = (tag: string): string =>
  encodeEnvelope(
    { body: new TextEncoder().encode(tag), contentType: 'application/json', contentEncoding: 'utf-8', headers: {}, properties: {} },
    { exchange: '', routingKey: 'celery', deliveryTag: tag },
  );
const body = (payload: string): string => new TextDecoder().decode(decodeEnvelope(payload).message.body);

describe('filesystemQueueDriver', () => {
  it('stores one file per message under queues/<queue>/, named by step first', async () => {
    const dir = freshDir();
    const driver = filesystemQueueDriver({ dir });
    await driver.connect();
    await driver.put('a/b', env('low'), { priority: 9, tag: 'low' });
    await driver.put('a/b', env('high'), { priority: 0, tag: 'high' });
    const files = readdirSync(join(dir, 'queues', 'a%2Fb')).sort();
    expect(files).toHaveLength(2);
    expect(files.map((f) => f.slice(0, 4))).toEqual(['0-1-', '9-1-']);
    expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
  });

  it('two drivers racing for the same messages each get distinct ones, none lost', async () => {
    const dir = freshDir();
    const a = filesystemQueueDriver({ dir });
    const b = filesystemQueueDriver({ dir });
    for (let i = 0; i < 30; i++) await a.put('q', env(`m${i}`), { priority: 0, tag: `m${i}` });
    const got: string[] = [];
    await Promise.all(
      [a, b, a, b].map(async (d) => {
        for (;;) {
          const leases = await d.reserve(['q'], { max: 3, waitMs: 0 });
          if (leases.length === 0) return;
          for (const l of leases) {
            got.push(body(l.payload));
            await d.ack(l);
          }
        }
      }),
    );
    expect(got.sort()).toEqual(Array.from({ length: 30 }, (_, i) => `m${i}`).sort());
  });

  it('restores an abandoned claim exactly once even with two sweepers', async () => {
    const dir = freshDir();
    const claimDir = join(dir, 'unacked', 'q');
    mkdirSync(claimDir, { recursive: true });
    writeFileSync(join(claimDir, `${'1'.padStart(15, '0')}~3-1-000000000000001-1-000000001.msg`), env('orphan'));
    const a = filesystemQueueDriver({ dir, visibilityTimeoutMs: 1000 });
    const b = filesystemQueueDriver({ dir, visibilityTimeoutMs: 1000 });
    const [ra, rb] = await Promise.all([a.reserve(['q'], { max: 5, waitMs: 0 }), b.reserve(['q'], { max: 5, waitMs: 0 })]);
    const leases = [...ra, ...rb];
    expect(leases).toHaveLength(1);
    expect(decodeEnvelope(leases[0]?.payload ?? '').redelivered).toBe(true);
    expect(readdirSync(join(dir, 'queues', 'q'))).toEqual([]);
  });

  it('extendLease on a lease that already expired and was restored reports Q_ERR_LEASE_LOST', async () => {
    const dir = freshDir();
    const driver = filesystemQueueDriver({ dir, visibilityTimeoutMs: 30, pollIntervalMs: 5 });
    await driver.put('q', env('x'), { priority: 0, tag: 'x' });
    const [lease] = await driver.reserve(['q'], { max: 1, waitMs: 0 });
    if (!lease) throw new Error('no lease');
    const [again] = await driver.reserve(['q'], { max: 1, waitMs: 2000 });
    expect(again && body(again.payload)).toBe('x');
    await expect(driver.extendLease?.(lease)).rejects.toMatchObject({ code: 'Q_ERR_LEASE_LOST' });
    await driver.ack(lease); // the expired claim is gone: nothing to do
    if (again) await driver.ack(again);
    expect(await driver.size?.('q')).toBe(0);
    expect(readdirSync(join(dir, 'unacked', 'q'))).toEqual([]);
  });

  it('keeps bindings as files that another driver reads', async () => {
    const dir = freshDir();
    await filesystemQueueDriver({ dir }).bind?.('celeryev', { routingKey: 'worker.#', pattern: '^worker\\..*?$', queue: 'ev1' });
    expect(await filesystemQueueDriver({ dir }).bindings?.('celeryev')).toEqual([
      { routingKey: 'worker.#', pattern: '^worker\\..*?$', queue: 'ev1' },
    ]);
  });
});
