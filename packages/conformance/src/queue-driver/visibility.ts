/** Visibility timeout (when the driver has one): a lease neither acked nor released comes back, redelivered. */
import type { Lease } from '@q/core/adapter';
import { describe, expect, it } from 'vitest';
import { kombuEnvelope, readEnvelope, sleep, uniqueName } from '../helpers.js';
import type { QueueDriverContext } from './context.js';

export function visibilityTests(ctx: QueueDriverContext, waits: boolean): void {
  const visibilityTimeoutMs = ctx.visibilityTimeoutMs;
  describe.skipIf(visibilityTimeoutMs === null)('visibility timeout', () => {
    const vt = visibilityTimeoutMs ?? 0;

    it('an expired lease is delivered again, flagged redelivered; a live one is not', async () => {
      const driver = await ctx.open({ visibilityTimeoutMs: vt });
      const queue = uniqueName('vt');
      await driver.put(queue, kombuEnvelope({ body: 'lost', tag: 'tv', routingKey: queue }), { priority: 0, tag: 'tv' });
      expect(await driver.reserve([queue], { max: 1, waitMs: 0 })).toHaveLength(1);
      expect(await driver.reserve([queue], { max: 1, waitMs: Math.floor(vt / 4) })).toEqual([]);
      // A waiting reserve must notice the expiry while it waits; others are polled.
      let again: Lease | undefined;
      const deadline = Date.now() + ctx.timeoutMs;
      while (!again && Date.now() < deadline) {
        [again] = await driver.reserve([queue], { max: 1, waitMs: waits ? ctx.timeoutMs : 0 });
        if (!again && !waits) await sleep(20);
      }
      expect(again && readEnvelope(again.payload)).toEqual({ body: 'lost', redelivered: true });
    });

    it('extendLease keeps a lease from expiring', async (test) => {
      const driver = await ctx.open({ visibilityTimeoutMs: vt });
      const extend = driver.extendLease?.bind(driver);
      if (!extend) {
        test.skip();
        return;
      }
      const queue = uniqueName('extend');
      await driver.put(queue, kombuEnvelope({ body: 'kept', tag: 'tk', routingKey: queue }), { priority: 0, tag: 'tk' });
      const [lease] = await driver.reserve([queue], { max: 1, waitMs: 0 });
      if (!lease) throw new Error('nothing reserved');
      // Extend at 60% of the timeout; at 120% the lease is 60% old, so it must still be held.
      await sleep(vt * 0.6);
      await extend(lease);
      await sleep(vt * 0.6);
      expect(await driver.reserve([queue], { max: 1, waitMs: 0 })).toEqual([]);
      await driver.ack(lease);
    });
  });
}
