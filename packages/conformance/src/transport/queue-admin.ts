/** Purge removes ready messages and says how many; queueSize (when offered) counts ready messages. */
import { describe, expect, it } from 'vitest';
import { collector, sleep, textMessage, uniqueName } from '../helpers.js';
import { declareQueue, type TransportContext } from './context.js';

export function queueAdminTests(ctx: TransportContext): void {
  describe('purge and size', () => {
    it('purge removes every ready message and returns the count', async () => {
      const transport = await ctx.open();
      const queue = uniqueName('purge');
      await declareQueue(transport, queue);
      for (const n of [1, 2, 3]) await transport.publish(textMessage(String(n)), { exchange: '', routingKey: queue });
      if (transport.queueSize) expect(await transport.queueSize(queue)).toBe(3);
      expect(await transport.purge(queue)).toBe(3);
      expect(await transport.purge(queue)).toBe(0);
      const got = collector((d) => d.ack());
      await transport.consume(queue, got.handler, { prefetch: 10 });
      await sleep(ctx.quietMs);
      expect(got.deliveries).toHaveLength(0);
    });

    it('queueSize counts ready messages, not the ones delivered', async (test) => {
      const transport = await ctx.open();
      if (!transport.queueSize) {
        test.skip();
        return;
      }
      const queue = uniqueName('size');
      await declareQueue(transport, queue);
      expect(await transport.queueSize(queue)).toBe(0);
      for (const n of [1, 2]) await transport.publish(textMessage(String(n)), { exchange: '', routingKey: queue });
      expect(await transport.queueSize(queue)).toBe(2);
      const got = collector();
      await transport.consume(queue, got.handler, { prefetch: 1 });
      await got.waitFor(1, ctx.timeoutMs);
      expect(await transport.queueSize(queue)).toBe(1);
      await got.deliveries[0]?.ack();
    });
  });
}
