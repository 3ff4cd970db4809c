/** purge removes ready messages and returns how many; size (when offered) counts them. */
import { describe, expect, it } from 'vitest';
import { kombuEnvelope, uniqueName } from '../helpers.js';
import type { QueueDriverContext } from './context.js';

export function purgeSizeTests(ctx: QueueDriverContext): void {
  describe('purge and size', () => {
    it('purge empties every priority step of a queue, and no other queue', async () => {
      const driver = await ctx.open();
      const queue = uniqueName('purge');
      const other = uniqueName('other');
      for (const [i, p] of [0, 3, 9].entries()) {
        await driver.put(queue, kombuEnvelope({ body: `m${i}`, tag: `t${i}`, routingKey: queue, priority: p }), { priority: p, tag: `t${i}` });
      }
      await driver.put(other, kombuEnvelope({ body: 'o', tag: 'to', routingKey: other }), { priority: 0, tag: 'to' });
      if (driver.size) expect(await driver.size(queue)).toBe(3);
      expect(await driver.purge(queue)).toBe(3);
      expect(await driver.reserve([queue], { max: 10, waitMs: 0 })).toEqual([]);
      expect(await driver.purge(uniqueName('never'))).toBe(0);
      if (driver.size) {
        expect(await driver.size(queue)).toBe(0);
        expect(await driver.size(other)).toBe(1);
      }
    });
  });
}
