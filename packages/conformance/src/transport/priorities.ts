/**
 * Priorities, when the transport declares them: `steps` (kombu's virtual transports: 0–2, 3–5, 6–8, 9; priority 0
 * is served first) or `native` (AMQP: the highest priority is served first, on a queue with `x-max-priority`).
 */
import { describe, expect, it } from 'vitest';
import { collector, textMessage, uniqueName } from '../helpers.js';
import { declareQueue, type TransportContext } from './context.js';

export function priorityTests(ctx: TransportContext, priorities: 'native' | 'steps' | 'none'): void {
  describe('priorities', () => {
    it.skipIf(priorities !== 'steps')('steps: serves step 0 first, then 3, 6, 9; FIFO within a step', async () => {
      const transport = await ctx.open();
      const queue = uniqueName('steps');
      await declareQueue(transport, queue);
      for (const p of [9, 0, 6, 3, 1, 7]) {
        await transport.publish(textMessage(`p${p}`, { priority: p }), { exchange: '', routingKey: queue });
      }
      const got = collector((d) => d.ack());
      await transport.consume(queue, got.handler, { prefetch: 1 });
      await got.waitFor(6, ctx.timeoutMs);
      expect(got.bodies()).toEqual(['p0', 'p1', 'p3', 'p6', 'p7', 'p9']);
      expect(got.deliveries.map((d) => d.info.priority)).toEqual([0, 1, 3, 6, 7, 9]);
    });

    it.skipIf(priorities !== 'native')('native: serves the highest priority first', async () => {
      const transport = await ctx.open();
      const queue = uniqueName('native');
      await declareQueue(transport, queue, 10);
      for (const p of [1, 9, 5]) {
        await transport.publish(textMessage(`p${p}`, { priority: p }), { exchange: '', routingKey: queue });
      }
      const got = collector((d) => d.ack());
      await transport.consume(queue, got.handler, { prefetch: 1 });
      await got.waitFor(3, ctx.timeoutMs);
      expect(got.bodies()).toEqual(['p9', 'p5', 'p1']);
    });
  });
}
