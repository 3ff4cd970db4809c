/** Leases: ack forgets, release puts the message back first and flags it redelivered, close releases held leases. */
import { describe, expect, it } from 'vitest';
import { kombuEnvelope, readEnvelope, uniqueName } from '../helpers.js';
import type { QueueDriverContext } from './context.js';

export function leaseTests(ctx: QueueDriverContext): void {
  describe('leases', () => {
    it('an acked lease is gone', async () => {
      const driver = await ctx.open();
      const queue = uniqueName('ack');
      await driver.put(queue, kombuEnvelope({ body: 'x', tag: 't1', routingKey: queue }), { priority: 0, tag: 't1' });
      const [lease] = await driver.reserve([queue], { max: 1, waitMs: 0 });
      expect(lease).toBeDefined();
      if (!lease) return;
      await driver.ack(lease);
      expect(await driver.reserve([queue], { max: 1, waitMs: 0 })).toEqual([]);
      if (driver.size) expect(await driver.size(queue)).toBe(0);
    });

    it('a released lease is delivered next, flagged redelivered', async () => {
      const driver = await ctx.open();
      const queue = uniqueName('release');
      for (const n of [1, 2]) await driver.put(queue, kombuEnvelope({ body: `m${n}`, tag: `t${n}`, routingKey: queue }), { priority: 0, tag: `t${n}` });
      const [first] = await driver.reserve([queue], { max: 1, waitMs: 0 });
      expect(first && readEnvelope(first.payload).body).toBe('m1');
      if (!first) return;
      await driver.release(first);
      if (ctx.releaseOrder === 'any') {
        // Delivered again, flagged, though maybe after m2; m2 is not flagged.
        const seen = (await driver.reserve([queue], { max: 10, waitMs: 0 })).map((l) => readEnvelope(l.payload));
        expect(seen.sort((a, b) => (a.body < b.body ? -1 : 1))).toEqual([
          { body: 'm1', redelivered: true },
          { body: 'm2', redelivered: false },
        ]);
        return;
      }
      const [again] = await driver.reserve([queue], { max: 1, waitMs: 0 });
      expect(again && readEnvelope(again.payload)).toEqual({ body: 'm1', redelivered: true });
    });

    it('a reserved message is not counted as ready', async (test) => {
      const driver = await ctx.open();
      if (!driver.size) {
        test.skip();
        return;
      }
      const queue = uniqueName('ready');
      for (const n of [1, 2]) await driver.put(queue, kombuEnvelope({ body: `m${n}`, tag: `t${n}`, routingKey: queue }), { priority: 0, tag: `t${n}` });
      await driver.reserve([queue], { max: 1, waitMs: 0 });
      expect(await driver.size(queue)).toBe(1);
    });

    it.skipIf(!ctx.hasPeer)('close releases the leases still held', async () => {
      const queue = uniqueName('close');
      const driver = await ctx.open();
      await driver.put(queue, kombuEnvelope({ body: 'held', tag: 'th', routingKey: queue }), { priority: 0, tag: 'th' });
      expect(await driver.reserve([queue], { max: 1, waitMs: 0 })).toHaveLength(1);
      await driver.close();
      const peer = await ctx.openPeer();
      const [again] = (await peer?.reserve([queue], { max: 1, waitMs: 0 })) ?? [];
      expect(again && readEnvelope(again.payload)).toEqual({ body: 'held', redelivered: true });
    });
  });
}
