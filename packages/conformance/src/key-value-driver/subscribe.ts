/** subscribe (drivers with `subscribe`): values set with `publish: true` reach subscribers of that key. */
import { describe, expect, it } from 'vitest';
import { sleep, uniqueName, waitUntil } from '../helpers.js';
import { PLAIN, type KeyValueDriverContext } from './context.js';

export function subscribeTests(ctx: KeyValueDriverContext, subscribe: boolean): void {
  describe.skipIf(!subscribe)('subscribe', () => {
    it('receives published values of its key only, not unpublished ones, until unsubscribed', async () => {
      const driver = await ctx.open();
      if (!driver.subscribe) throw new Error('subscribe declared but missing');
      const key = uniqueName('sub');
      const seen: string[] = [];
      const off = await driver.subscribe(key, (v) => seen.push(v));
      await driver.set(uniqueName('other'), 'other', { ttlMs: null, publish: true });
      await driver.set(key, 'quiet', PLAIN);
      await driver.set(key, 'loud', { ttlMs: null, publish: true });
      await waitUntil(() => seen.length >= 1, ctx.timeoutMs, 'a published value');
      await sleep(50);
      expect(seen).toEqual(['loud']);
      await off();
      await driver.set(key, 'late', { ttlMs: null, publish: true });
      await sleep(100);
      expect(seen).toEqual(['loud']);
    });
  });
}
