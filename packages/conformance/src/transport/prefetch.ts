/** Prefetch: never more unacked deliveries in flight than the consumer's prefetch, which can change live. */
import { describe, expect, it } from 'vitest';
import { collector, sleep, textMessage, uniqueName } from '../helpers.js';
import { declareQueue, type TransportContext } from './context.js';

export function prefetchTests(ctx: TransportContext): void {
  describe('prefetch', () => {
    it('holds at most `prefetch` unacked deliveries and sends more as they are acked', async () => {
      const transport = await ctx.open();
      const queue = uniqueName('prefetch');
      await declareQueue(transport, queue);
      for (const n of [1, 2, 3, 4, 5]) await transport.publish(textMessage(String(n)), { exchange: '', routingKey: queue });
      const got = collector();
      await transport.consume(queue, got.handler, { prefetch: 2 });
      await got.waitFor(2, ctx.timeoutMs);
      await sleep(ctx.quietMs);
      expect(got.deliveries).toHaveLength(2);
      await got.deliveries[0]?.ack();
      await got.waitFor(3, ctx.timeoutMs);
      await sleep(ctx.quietMs);
      expect(got.deliveries).toHaveLength(3);
      for (const d of got.deliveries) await d.ack();
    });

    it('setPrefetch raises the limit of a running consumer', async () => {
      const transport = await ctx.open();
      const queue = uniqueName('setprefetch');
      await declareQueue(transport, queue);
      for (const n of [1, 2, 3, 4]) await transport.publish(textMessage(String(n)), { exchange: '', routingKey: queue });
      const got = collector();
      const consumer = await transport.consume(queue, got.handler, { prefetch: 1 });
      await got.waitFor(1, ctx.timeoutMs);
      await sleep(ctx.quietMs);
      expect(got.deliveries).toHaveLength(1);
      await consumer.setPrefetch(3);
      await got.waitFor(3, ctx.timeoutMs);
      await sleep(ctx.quietMs);
      expect(got.deliveries).toHaveLength(3);
      for (const d of got.deliveries) await d.ack();
    });
  });
}
