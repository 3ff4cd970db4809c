/**
 * Named exchanges: direct routes by exact key, topic by AMQP wildcards (also for a message another connection
 * publishes: `capabilities.topic` means bindings are shared, as between a q client and a worker); unroutable
 * messages are dropped.
 */
import type { Transport } from '@q/core';
import type { ExchangeType } from '@q/core/adapter';
import { describe, expect, it } from 'vitest';
import { collector, sleep, textMessage, uniqueName } from '../helpers.js';
import { declareQueue, type TransportContext } from './context.js';

async function exchange(transport: Transport, name: string, type: ExchangeType): Promise<void> {
  await transport.declareExchange({ name, type, durable: true, autoDelete: false });
}

export function routingTests(ctx: TransportContext, topic: boolean): void {
  describe('routing', () => {
    it('routes a direct exchange by exact routing key and drops unroutable messages', async () => {
      const transport = await ctx.open();
      const ex = uniqueName('direct');
      const queue = uniqueName('dq');
      await declareQueue(transport, queue);
      await exchange(transport, ex, 'direct');
      await transport.bindQueue({ queue, exchange: ex, routingKey: 'key.a' });
      await transport.publish(textMessage('nowhere'), { exchange: ex, routingKey: 'key.b' });
      await transport.publish(textMessage('routed'), { exchange: ex, routingKey: 'key.a' });
      const got = collector((d) => d.ack());
      await transport.consume(queue, got.handler, { prefetch: 10 });
      await got.waitFor(1, ctx.timeoutMs);
      await sleep(ctx.quietMs);
      expect(got.bodies()).toEqual(['routed']);
      expect(got.deliveries[0]?.info).toMatchObject({ exchange: ex, routingKey: 'key.a', queue });
    });

    it.skipIf(!topic)('routes a topic exchange with * and # wildcards', async () => {
      const transport = await ctx.open();
      const ex = uniqueName('topic');
      const star = uniqueName('star');
      const hash = uniqueName('hash');
      for (const q of [star, hash]) await declareQueue(transport, q);
      await exchange(transport, ex, 'topic');
      await transport.bindQueue({ queue: star, exchange: ex, routingKey: 'task.*' });
      await transport.bindQueue({ queue: hash, exchange: ex, routingKey: 'task.#' });
      for (const key of ['task.sent', 'task.multi.part', 'worker.online']) {
        await transport.publish(textMessage(key), { exchange: ex, routingKey: key, exchangeType: 'topic' });
      }
      const gotStar = collector((d) => d.ack());
      const gotHash = collector((d) => d.ack());
      await transport.consume(star, gotStar.handler, { prefetch: 10 });
      await transport.consume(hash, gotHash.handler, { prefetch: 10 });
      await gotHash.waitFor(2, ctx.timeoutMs);
      await gotStar.waitFor(1, ctx.timeoutMs);
      await sleep(ctx.quietMs);
      expect(gotStar.bodies()).toEqual(['task.sent']);
      expect(gotHash.bodies().sort()).toEqual(['task.multi.part', 'task.sent']);
    });

    it.skipIf(!topic || !ctx.hasPeer)('routes by wildcard bindings another connection made', async () => {
      const consumer = await ctx.open();
      const publisher = await ctx.openPeer();
      if (!publisher) throw new Error('no peer');
      const ex = uniqueName('topic');
      const queue = uniqueName('logs');
      await declareQueue(consumer, queue);
      await exchange(consumer, ex, 'topic');
      await consumer.bindQueue({ queue, exchange: ex, routingKey: 'log.*.disk' });
      await exchange(publisher, ex, 'topic');
      for (const key of ['log.error.disk', 'log.error.net', 'log.disk']) {
        await publisher.publish(textMessage(key), { exchange: ex, routingKey: key, exchangeType: 'topic' });
      }
      const got = collector((d) => d.ack());
      await consumer.consume(queue, got.handler, { prefetch: 10 });
      await got.waitFor(1, ctx.timeoutMs);
      await sleep(ctx.quietMs);
      expect(got.bodies()).toEqual(['log.error.disk']);
    });
  });
}
