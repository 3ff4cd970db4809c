/** Native delay (transports declaring `nativeDelay`): a message published with `delayMs` is not delivered before then. */
import { describe, expect, it } from 'vitest';
import { collector, sleep, textMessage, uniqueName } from '../helpers.js';
import { declareQueue, type TransportContext } from './context.js';

export function nativeDelayTests(ctx: TransportContext, declared: boolean): void {
  describe.skipIf(!declared)('native delay', () => {
    it('delivers a delayed message after its delay, and an undelayed one at once', async () => {
      const transport = await ctx.open();
      const { nativeDelay } = transport.capabilities;
      if (nativeDelay === false) throw new Error('nativeDelay not declared');
      const queue = uniqueName('delay');
      await declareQueue(transport, queue);
      const delayMs = 600;
      const sentAt = Date.now();
      await transport.publish(textMessage('later'), { exchange: '', routingKey: queue, delayMs });
      await transport.publish(textMessage('now'), { exchange: '', routingKey: queue });
      const got = collector((d) => d.ack());
      await transport.consume(queue, got.handler, { prefetch: 10 });
      await got.waitFor(1, ctx.timeoutMs);
      await sleep(100);
      expect(got.bodies()).toEqual(['now']);
      await got.waitFor(2, ctx.timeoutMs);
      expect(got.bodies()).toEqual(['now', 'later']);
      // Timers may fire a few ms early.
      expect(Date.now() - sentAt).toBeGreaterThanOrEqual(delayMs - 50);
    });
  });
}
