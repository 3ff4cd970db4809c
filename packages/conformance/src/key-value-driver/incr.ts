/** incr: atomic counters (chord counters) — from zero, by any step, concurrently, readable with get. */
import { describe, expect, it } from 'vitest';
import { sleep, uniqueName } from '../helpers.js';
import { PLAIN, type KeyValueDriverContext } from './context.js';

export function incrTests(ctx: KeyValueDriverContext): void {
  describe('incr', () => {
    it('starts from 0, adds `by`, and the value reads back as a decimal string', async () => {
      const driver = await ctx.open();
      const key = uniqueName('ctr');
      expect(await driver.incr(key, 1, null)).toBe(1);
      expect(await driver.incr(key, 5, null)).toBe(6);
      expect(await driver.incr(key, -2, null)).toBe(4);
      expect(await driver.get(key)).toBe('4');
    });

    it('continues from a value that was set', async () => {
      const driver = await ctx.open();
      const key = uniqueName('fromset');
      await driver.set(key, '41', PLAIN);
      expect(await driver.incr(key, 1, null)).toBe(42);
    });

    it('loses no increment under concurrency', async () => {
      const driver = await ctx.open();
      const key = uniqueName('race');
      const peer = (await ctx.openPeer()) ?? driver;
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? peer : driver).incr(key, 1, null)));
      expect([...results].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(await driver.get(key)).toBe('20');
    });

    it('a counter with ttlMs expires', async () => {
      const driver = await ctx.open();
      const key = uniqueName('ttlctr');
      await driver.incr(key, 1, ctx.ttlMs);
      await sleep(ctx.ttlMs + 100);
      expect(await driver.get(key)).toBeNull();
      expect(await driver.incr(key, 1, null)).toBe(1);
    });
  });
}
