/** put/reserve: FIFO per queue, `max` respected, queues served in the order given, waiting reserve. */
import { describe, expect, it } from 'vitest';
import { kombuEnvelope, readEnvelope, uniqueName } from '../helpers.js';
import type { QueueDriverContext } from './context.js';

export function putReserveTests(ctx: QueueDriverContext, blocking: boolean): void {
  describe('put and reserve', () => {
    it('reserves what was put, with its queue, payload and tag, in FIFO order', async () => {
      const driver = await ctx.open();
      const queue = uniqueName('put');
      for (const n of [1, 2, 3]) {
        await driver.put(queue, kombuEnvelope({ body: `m${n}`, tag: `tag-${n}`, routingKey: queue }), { priority: 0, tag: `tag-${n}` });
      }
      const leases = await driver.reserve([queue], { max: 10, waitMs: 0 });
      expect(leases.map((l) => readEnvelope(l.payload).body)).toEqual(['m1', 'm2', 'm3']);
      expect(leases.map((l) => l.queue)).toEqual([queue, queue, queue]);
      if (ctx.receiptTags) {
        expect(new Set(leases.map((l) => l.tag)).size).toBe(3);
        expect(leases.every((l) => typeof l.tag === 'string' && l.tag !== '')).toBe(true);
      } else {
        expect(leases.map((l) => l.tag)).toEqual(['tag-1', 'tag-2', 'tag-3']);
      }
      expect(leases.every((l) => !readEnvelope(l.payload).redelivered)).toBe(true);
    });

    it('returns at most `max` leases, and nothing from an empty queue', async () => {
      const driver = await ctx.open();
      const queue = uniqueName('max');
      expect(await driver.reserve([queue], { max: 5, waitMs: 0 })).toEqual([]);
      for (const n of [1, 2, 3]) await driver.put(queue, kombuEnvelope({ body: `m${n}`, tag: `t${n}`, routingKey: queue }), { priority: 0, tag: `t${n}` });
      expect(await driver.reserve([queue], { max: 2, waitMs: 0 })).toHaveLength(2);
      expect(await driver.reserve([queue], { max: 2, waitMs: 0 })).toHaveLength(1);
      expect(await driver.reserve([queue], { max: 2, waitMs: 0 })).toHaveLength(0);
    });

    it('serves the queues in the order given', async () => {
      const driver = await ctx.open();
      const a = uniqueName('qa');
      const b = uniqueName('qb');
      await driver.put(b, kombuEnvelope({ body: 'from-b', tag: 'tb', routingKey: b }), { priority: 0, tag: 'tb' });
      await driver.put(a, kombuEnvelope({ body: 'from-a', tag: 'ta', routingKey: a }), { priority: 0, tag: 'ta' });
      const [first] = await driver.reserve([a, b], { max: 1, waitMs: 0 });
      expect(first?.queue).toBe(a);
      const [second] = await driver.reserve([a, b], { max: 1, waitMs: 0 });
      expect(second?.queue).toBe(b);
    });

    it('a message is leased to one reserver only', async () => {
      const driver = await ctx.open();
      const queue = uniqueName('once');
      for (const n of [1, 2, 3, 4, 5, 6]) await driver.put(queue, kombuEnvelope({ body: `m${n}`, tag: `t${n}`, routingKey: queue }), { priority: 0, tag: `t${n}` });
      const batches = await Promise.all([1, 2, 3].map(() => driver.reserve([queue], { max: 6, waitMs: 0 })));
      const bodies = batches.flat().map((l) => readEnvelope(l.payload).body);
      expect(bodies.sort()).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6']);
    });

    it.skipIf(!blocking)('a waiting reserve returns a message put while it waits', async () => {
      const driver = await ctx.open();
      const queue = uniqueName('wait');
      const pending = driver.reserve([queue], { max: 1, waitMs: ctx.timeoutMs });
      setTimeout(() => void driver.put(queue, kombuEnvelope({ body: 'late', tag: 'tl', routingKey: queue }), { priority: 0, tag: 'tl' }), 50);
      const started = Date.now();
      const leases = await pending;
      expect(leases.map((l) => readEnvelope(l.payload).body)).toEqual(['late']);
      expect(Date.now() - started).toBeLessThan(ctx.timeoutMs);
    });

    it('a waiting reserve gives up after waitMs, or when its signal aborts', async () => {
      const driver = await ctx.open();
      const queue = uniqueName('idle');
      const started = Date.now();
      expect(await driver.reserve([queue], { max: 1, waitMs: 100 })).toEqual([]);
      expect(Date.now() - started).toBeLessThan(ctx.timeoutMs);
      const abort = new AbortController();
      setTimeout(() => abort.abort(), 50);
      const t = Date.now();
      expect(await driver.reserve([queue], { max: 1, waitMs: 60_000, signal: abort.signal })).toEqual([]);
      expect(Date.now() - t).toBeLessThan(ctx.timeoutMs);
    });
  });
}
