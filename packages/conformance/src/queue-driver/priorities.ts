/** Priority steps (drivers with `priorities: 'steps'`): 0–2, 3–5, 6–8, 9; step 0 first, FIFO within a step. */
import { describe, expect, it } from 'vitest';
import { kombuEnvelope, readEnvelope, uniqueName } from '../helpers.js';
import type { QueueDriverContext } from './context.js';

export function priorityTests(ctx: QueueDriverContext, priorities: 'steps' | 'none'): void {
  describe.skipIf(priorities !== 'steps')('priority steps', () => {
    it('serves step 0 first, then 3, 6 and 9, FIFO within a step, also across queues', async () => {
      const driver = await ctx.open();
      const a = uniqueName('pa');
      const b = uniqueName('pb');
      const puts: [string, number][] = [[a, 9], [a, 2], [b, 0], [a, 6], [a, 0], [b, 12], [a, 3], [b, 5]];
      for (const [i, [queue, priority]] of puts.entries()) {
        const tag = `t${i}`;
        await driver.put(queue, kombuEnvelope({ body: `${queue === a ? 'a' : 'b'}${priority}`, tag, routingKey: queue, priority }), { priority, tag });
      }
      const order: string[] = [];
      for (;;) {
        const [lease] = await driver.reserve([a, b], { max: 1, waitMs: 0 });
        if (!lease) break;
        order.push(readEnvelope(lease.payload).body);
        await driver.ack(lease);
      }
      expect(order).toEqual(['a2', 'a0', 'b0', 'a3', 'b5', 'a6', 'a9', 'b12']);
    });

    it('a released message keeps its priority step', async () => {
      const driver = await ctx.open();
      const queue = uniqueName('prel');
      await driver.put(queue, kombuEnvelope({ body: 'low', tag: 'tl', routingKey: queue, priority: 9 }), { priority: 9, tag: 'tl' });
      const [lease] = await driver.reserve([queue], { max: 1, waitMs: 0 });
      if (!lease) throw new Error('nothing reserved');
      await driver.put(queue, kombuEnvelope({ body: 'high', tag: 'th', routingKey: queue, priority: 0 }), { priority: 0, tag: 'th' });
      await driver.release(lease);
      const both = await driver.reserve([queue], { max: 2, waitMs: 0 });
      expect(both.map((l) => readEnvelope(l.payload).body)).toEqual(['high', 'low']);
    });
  });
}
