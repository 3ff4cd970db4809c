/** Settling deliveries: ack forgets, nack with requeue redelivers, nack without requeue drops, once only. */
import { describe, expect, it } from 'vitest';
import { bodyText, collector, sleep, textMessage, uniqueName } from '../helpers.js';
import { declareQueue, type TransportContext } from './context.js';

export function acknowledgementTests(ctx: TransportContext): void {
  describe('acknowledgement', () => {
    it('an acked message is not delivered again', async () => {
      const transport = await ctx.open();
      const queue = uniqueName('ack');
      await declareQueue(transport, queue);
      await transport.publish(textMessage('once'), { exchange: '', routingKey: queue });
      const got = collector((d) => d.ack());
      const consumer = await transport.consume(queue, got.handler, { prefetch: 1 });
      await got.waitFor(1, ctx.timeoutMs);
      await sleep(ctx.quietMs);
      await consumer.cancel();
      expect(got.bodies()).toEqual(['once']);
      if (transport.queueSize) expect(await transport.queueSize(queue)).toBe(0);
    });

    it('nack with requeue delivers the message again, flagged redelivered', async () => {
      const transport = await ctx.open();
      const queue = uniqueName('requeue');
      await declareQueue(transport, queue);
      await transport.publish(textMessage('again'), { exchange: '', routingKey: queue });
      let first = true;
      const got = collector(async (d) => {
        if (first) {
          first = false;
          await d.nack({ requeue: true });
        } else {
          await d.ack();
        }
      });
      await transport.consume(queue, got.handler, { prefetch: 1 });
      const [a, b] = await got.waitFor(2, ctx.timeoutMs);
      expect(got.bodies()).toEqual(['again', 'again']);
      expect(a?.info.redelivered).toBe(false);
      expect(b?.info.redelivered).toBe(true);
    });

    it('nack without requeue drops the message', async () => {
      const transport = await ctx.open();
      const queue = uniqueName('drop');
      await declareQueue(transport, queue);
      await transport.publish(textMessage('gone'), { exchange: '', routingKey: queue });
      await transport.publish(textMessage('next'), { exchange: '', routingKey: queue });
      const got = collector((d) => (bodyText(d.message) === 'gone' ? d.nack({ requeue: false }) : d.ack()));
      await transport.consume(queue, got.handler, { prefetch: 1 });
      await got.waitFor(2, ctx.timeoutMs);
      await sleep(ctx.quietMs);
      expect(got.bodies()).toEqual(['gone', 'next']);
      if (transport.queueSize) expect(await transport.queueSize(queue)).toBe(0);
    });

    it('settling a delivery twice has no further effect', async () => {
      const transport = await ctx.open();
      const queue = uniqueName('twice');
      await declareQueue(transport, queue);
      await transport.publish(textMessage('one'), { exchange: '', routingKey: queue });
      const got = collector();
      await transport.consume(queue, got.handler, { prefetch: 1 });
      const [delivery] = await got.waitFor(1, ctx.timeoutMs);
      await delivery?.ack();
      await delivery?.nack({ requeue: true }).catch(() => undefined);
      await sleep(ctx.quietMs);
      expect(got.bodies()).toEqual(['one']);
    });
  });
}
