/** Publishing to the default exchange and consuming: the message arrives intact, with its delivery info. */
import { describe, expect, it } from 'vitest';
import { bodyText, collector, textMessage, uniqueName } from '../helpers.js';
import { declareQueue, type TransportContext } from './context.js';

export function publishConsumeTests(ctx: TransportContext): void {
  describe('publish and consume', () => {
    it('delivers a message published to the default exchange to the queue named by the routing key', async () => {
      const transport = await ctx.open();
      const queue = uniqueName('pc');
      await declareQueue(transport, queue);
      const sent = textMessage('[[2, 2], {}, {}]', { correlationId: 'id-1', replyTo: 'reply-1', deliveryMode: 2 }, {
        task: 'tasks.add',
        id: 'id-1',
      });
      await transport.publish(sent, { exchange: '', routingKey: queue });
      const got = collector();
      await transport.consume(queue, got.handler, { prefetch: 10 });
      const [delivery] = await got.waitFor(1, ctx.timeoutMs);
      expect(delivery).toBeDefined();
      if (!delivery) return;
      expect(bodyText(delivery.message)).toBe('[[2, 2], {}, {}]');
      expect(delivery.message.contentType).toBe('application/json');
      expect(delivery.message.contentEncoding).toBe('utf-8');
      expect(delivery.message.headers).toMatchObject({ task: 'tasks.add', id: 'id-1' });
      expect(delivery.message.properties).toMatchObject({ correlationId: 'id-1', replyTo: 'reply-1' });
      expect(delivery.info).toMatchObject({ queue, routingKey: queue, exchange: '', redelivered: false });
      expect(delivery.info.deliveryTag).not.toBe('');
      await delivery.ack();
    });

    it('delivers messages of one queue in publish order', async () => {
      const transport = await ctx.open();
      const queue = uniqueName('order');
      await declareQueue(transport, queue);
      for (const n of [1, 2, 3, 4]) await transport.publish(textMessage(String(n)), { exchange: '', routingKey: queue });
      const got = collector((d) => d.ack());
      await transport.consume(queue, got.handler, { prefetch: 1 });
      await got.waitFor(4, ctx.timeoutMs);
      expect(got.bodies()).toEqual(['1', '2', '3', '4']);
    });

    it('delivers a message published while the consumer waits', async () => {
      const transport = await ctx.open();
      const queue = uniqueName('late');
      await declareQueue(transport, queue);
      const got = collector((d) => d.ack());
      await transport.consume(queue, got.handler, { prefetch: 1 });
      await transport.publish(textMessage('late'), { exchange: '', routingKey: queue });
      await got.waitFor(1, ctx.timeoutMs);
      expect(got.bodies()).toEqual(['late']);
    });

    it('stops delivering after the consumer is cancelled', async () => {
      const transport = await ctx.open();
      const queue = uniqueName('cancel');
      await declareQueue(transport, queue);
      const got = collector((d) => d.ack());
      const consumer = await transport.consume(queue, got.handler, { prefetch: 1 });
      await consumer.cancel();
      await transport.publish(textMessage('after'), { exchange: '', routingKey: queue });
      await new Promise((resolve) => setTimeout(resolve, ctx.quietMs));
      expect(got.deliveries).toHaveLength(0);
    });
  });
}
