/** Fanout exchanges (remote control, events): one publish reaches every bound queue's consumer. */
import { describe, expect, it } from 'vitest';
import { collector, sleep, textMessage, uniqueName } from '../helpers.js';
import { declareQueue, type TransportContext } from './context.js';

export function fanoutTests(ctx: TransportContext, fanout: boolean): void {
  describe('fanout', () => {
    it.skipIf(!fanout)('a message published to a fanout exchange reaches every bound queue once', async () => {
      const transport = await ctx.open();
      const ex = uniqueName('fanout');
      const queues = [uniqueName('fa'), uniqueName('fb')];
      const unbound = uniqueName('fc');
      await transport.declareExchange({ name: ex, type: 'fanout', durable: false, autoDelete: true });
      for (const q of [...queues, unbound]) await declareQueue(transport, q);
      for (const q of queues) await transport.bindQueue({ queue: q, exchange: ex, routingKey: '' });
      const got = queues.map(() => collector((d) => d.ack()));
      const other = collector((d) => d.ack());
      for (const [i, q] of queues.entries()) {
        const c = got[i];
        if (c) await transport.consume(q, c.handler, { prefetch: 10 });
      }
      await transport.consume(unbound, other.handler, { prefetch: 10 });
      await transport.publish(textMessage('broadcast'), { exchange: ex, routingKey: '', exchangeType: 'fanout' });
      for (const c of got) await c.waitFor(1, ctx.timeoutMs);
      await sleep(ctx.quietMs);
      for (const c of got) expect(c.bodies()).toEqual(['broadcast']);
      expect(other.deliveries).toHaveLength(0);
    });
  });
}
