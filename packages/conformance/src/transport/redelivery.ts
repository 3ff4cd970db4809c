/** Unacknowledged messages survive their consumer: closing the connection returns them to the queue. */
import { describe, expect, it } from 'vitest';
import { collector, textMessage, uniqueName } from '../helpers.js';
import { declareQueue, type TransportContext } from './context.js';

export function redeliveryTests(ctx: TransportContext): void {
  describe('redelivery', () => {
    it.skipIf(!ctx.hasPeer)('a message received but not acked is redelivered after its connection closes', async () => {
      const first = await ctx.open();
      const queue = uniqueName('redeliver');
      await declareQueue(first, queue);
      await first.publish(textMessage('unacked'), { exchange: '', routingKey: queue });
      const got = collector();
      await first.consume(queue, got.handler, { prefetch: 1 });
      await got.waitFor(1, ctx.timeoutMs);
      await first.close();

      const second = await ctx.openPeer();
      if (!second) return;
      const again = collector((d) => d.ack());
      await second.consume(queue, again.handler, { prefetch: 1 });
      const [delivery] = await again.waitFor(1, ctx.timeoutMs);
      expect(again.bodies()).toEqual(['unacked']);
      expect(delivery?.info.redelivered).toBe(true);
    });

    it.skipIf(!ctx.hasPeer)('prefetched messages not yet handled are returned on close, none lost', async () => {
      const first = await ctx.open();
      const queue = uniqueName('prefetched');
      await declareQueue(first, queue);
      for (const n of [1, 2, 3]) await first.publish(textMessage(String(n)), { exchange: '', routingKey: queue });
      const got = collector();
      await first.consume(queue, got.handler, { prefetch: 3 });
      await got.waitFor(3, ctx.timeoutMs);
      await got.deliveries[0]?.ack();
      await first.close();

      const second = await ctx.openPeer();
      if (!second) return;
      const again = collector((d) => d.ack());
      await second.consume(queue, again.handler, { prefetch: 10 });
      await again.waitFor(2, ctx.timeoutMs);
      expect(again.bodies().sort()).toEqual(['2', '3']);
    });
  });
}
