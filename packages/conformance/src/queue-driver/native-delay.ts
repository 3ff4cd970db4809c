/** Native delay (drivers declaring `nativeDelay`): a message put with `delayMs` is not reserved before then. */
import { describe, expect, it } from 'vitest';
import { kombuEnvelope, readEnvelope, uniqueName } from '../helpers.js';
import type { QueueDriverContext } from './context.js';

export function nativeDelayTests(ctx: QueueDriverContext, declared: boolean): void {
  describe.skipIf(!declared)('native delay', () => {
    it('holds a delayed message back until its delay has passed, and not an undelayed one', async () => {
      const driver = await ctx.open();
      const { nativeDelay } = driver.capabilities;
      if (nativeDelay === false) throw new Error('nativeDelay not declared');
      expect(nativeDelay.maxDelayMs).toBeGreaterThanOrEqual(1000);
      const queue = uniqueName('delay');
      const delayMs = 600;
      const sentAt = Date.now();
      await driver.put(queue, kombuEnvelope({ body: 'later', tag: 'd1', routingKey: queue }), { priority: 0, tag: 'd1', delayMs });
      await driver.put(queue, kombuEnvelope({ body: 'now', tag: 'd2', routingKey: queue }), { priority: 0, tag: 'd2' });
      const first = await driver.reserve([queue], { max: 10, waitMs: 0 });
      expect(first.map((l) => readEnvelope(l.payload).body)).toEqual(['now']);
      for (const lease of first) await driver.ack(lease);
      const bodies: string[] = [];
      while (bodies.length === 0 && Date.now() - sentAt < ctx.timeoutMs) {
        const got = await driver.reserve([queue], { max: 10, waitMs: 200 });
        for (const lease of got) {
          bodies.push(readEnvelope(lease.payload).body);
          await driver.ack(lease);
        }
      }
      expect(bodies).toEqual(['later']);
      // Timers may fire a few ms early.
      expect(Date.now() - sentAt).toBeGreaterThanOrEqual(delayMs - 50);
    });
  });
}
