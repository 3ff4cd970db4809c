/** get/mget/set/delete: missing keys are null, values round-trip exactly, set overwrites, delete removes. */
import { describe, expect, it } from 'vitest';
import { uniqueName } from '../helpers.js';
import { PLAIN, type KeyValueDriverContext } from './context.js';

export function getSetTests(ctx: KeyValueDriverContext): void {
  describe('get, mget, set and delete', () => {
    it('a missing key is null', async () => {
      const driver = await ctx.open();
      expect(await driver.get(uniqueName('missing'))).toBeNull();
    });

    it('round-trips values exactly, including unicode and awkward key characters', async () => {
      const driver = await ctx.open();
      const key = `celery-task-meta-${uniqueName('k')}/../:*?"<>| é`;
      const value = '{"status": "SUCCESS", "result": "h\\u00e9llo", "raw": "é🙂\\n"}';
      await driver.set(key, value, PLAIN);
      expect(await driver.get(key)).toBe(value);
    });

    it('set overwrites; delete removes; deleting a missing key is fine', async () => {
      const driver = await ctx.open();
      const key = uniqueName('ow');
      await driver.set(key, 'one', PLAIN);
      await driver.set(key, 'two', PLAIN);
      expect(await driver.get(key)).toBe('two');
      await driver.delete(key);
      expect(await driver.get(key)).toBeNull();
      await driver.delete(key);
    });

    it('mget returns values in key order, null for missing keys', async () => {
      const driver = await ctx.open();
      const [a, b, c] = [uniqueName('a'), uniqueName('b'), uniqueName('c')];
      await driver.set(a, 'A', PLAIN);
      await driver.set(c, 'C', PLAIN);
      expect(await driver.mget([c, b, a])).toEqual(['C', null, 'A']);
      expect(await driver.mget([])).toEqual([]);
    });

    it.skipIf(!ctx.hasPeer)('another connection sees the values', async () => {
      const driver = await ctx.open();
      const key = uniqueName('shared');
      await driver.set(key, 'v', PLAIN);
      const peer = await ctx.openPeer();
      expect(await peer?.get(key)).toBe('v');
    });
  });
}
