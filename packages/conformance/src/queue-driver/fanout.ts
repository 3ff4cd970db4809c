/** Native fanout (drivers with `fanout`): `fanoutPublish` reaches every subscriber whose pattern matches. */
import { describe, expect, it } from 'vitest';
import { kombuEnvelope, readEnvelope, sleep, uniqueName, waitUntil } from '../helpers.js';
import type { QueueDriverContext } from './context.js';

export function fanoutTests(ctx: QueueDriverContext, fanout: boolean): void {
  describe.skipIf(!fanout)('native fanout', () => {
    it('broadcasts to subscribers, by routing-key pattern, until they unsubscribe', async () => {
      const driver = await ctx.open();
      if (!driver.subscribe || !driver.fanoutPublish) throw new Error('fanout declared but subscribe/fanoutPublish missing');
      const ex = uniqueName('fx');
      const all: string[] = [];
      const workers: string[] = [];
      const offAll = await driver.subscribe(ex, '#', (p) => all.push(readEnvelope(p).body));
      const offWorkers = await driver.subscribe(ex, 'worker.#', (p) => workers.push(readEnvelope(p).body));
      await driver.fanoutPublish(ex, 'worker.online', kombuEnvelope({ body: 'w', tag: 't1', routingKey: 'worker.online' }));
      await driver.fanoutPublish(ex, 'task.sent', kombuEnvelope({ body: 't', tag: 't2', routingKey: 'task.sent' }));
      await waitUntil(() => all.length === 2 && workers.length === 1, ctx.timeoutMs, 'fanout messages');
      expect(workers).toEqual(['w']);
      await offAll();
      await offWorkers();
      await driver.fanoutPublish(ex, 'worker.offline', kombuEnvelope({ body: 'x', tag: 't3', routingKey: 'worker.offline' }));
      await sleep(100);
      expect(all).toHaveLength(2);
    });
  });
}
