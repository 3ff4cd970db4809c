/** Persistent bindings (drivers with `bind`/`bindings`): stored per exchange, idempotent, visible to peers. */
import type { StoredBinding } from '@q/core/adapter';
import { describe, expect, it } from 'vitest';
import { uniqueName } from '../helpers.js';
import type { QueueDriverContext } from './context.js';

const byQueue = (a: StoredBinding, b: StoredBinding): number => (a.queue < b.queue ? -1 : a.queue > b.queue ? 1 : 0);

export function bindingTests(ctx: QueueDriverContext): void {
  describe('bindings', () => {
    it('stores bindings per exchange, once each', async (test) => {
      const driver = await ctx.open();
      if (!driver.bind || !driver.bindings) {
        test.skip();
        return;
      }
      const ex = uniqueName('ex');
      const a: StoredBinding = { routingKey: 'celery', pattern: '', queue: 'qa' };
      const b: StoredBinding = { routingKey: 'task.#', pattern: '^task\\..*?$', queue: 'qb' };
      await driver.bind(ex, a);
      await driver.bind(ex, b);
      await driver.bind(ex, a);
      expect((await driver.bindings(ex)).sort(byQueue)).toEqual([a, b]);
      expect(await driver.bindings(uniqueName('none'))).toEqual([]);
      if (driver.capabilities.persistentBindings && ctx.hasPeer) {
        const peer = await ctx.openPeer();
        expect((await peer?.bindings?.(ex))?.sort(byQueue)).toEqual([a, b]);
      }
    });
  });
}
