/** Time to live: a key set with `ttlMs` disappears after it, one set with `null` stays. */
import { describe, expect, it } from 'vitest';
import { sleep, uniqueName } from '../helpers.js';
import { PLAIN, type KeyValueDriverContext } from './context.js';

export function ttlTests(ctx: KeyValueDriverContext): void {
  describe('time to live', () => {
    it('expires keys set with ttlMs, and only those', async () => {
      const driver = await ctx.open();
      const short = uniqueName('short');
      const kept = uniqueName('kept');
      await driver.set(short, 's', { ttlMs: ctx.ttlMs, publish: false });
      await driver.set(kept, 'k', PLAIN);
      expect(await driver.get(short)).toBe('s');
      await sleep(ctx.ttlMs + 100);
      expect(await driver.get(short)).toBeNull();
      expect(await driver.mget([short, kept])).toEqual([null, 'k']);
    });

    it('setting again without ttl keeps the key forever', async () => {
      const driver = await ctx.open();
      const key = uniqueName('reset');
      await driver.set(key, 'a', { ttlMs: ctx.ttlMs, publish: false });
      await driver.set(key, 'b', PLAIN);
      await sleep(ctx.ttlMs + 100);
      expect(await driver.get(key)).toBe('b');
    });
  });
}
