/** Groups (backends with `groups`): save, restore and delete a group's result tuple. */
import { describe, expect, it } from 'vitest';
import { uniqueName } from '../helpers.js';
import { KEEP, type ResultBackendContext } from './context.js';

export function groupTests(ctx: ResultBackendContext, groups: boolean): void {
  describe.skipIf(!groups)('groups', () => {
    it('restores the saved group result tuple, null once deleted or never saved', async () => {
      const backend = await ctx.open();
      if (!backend.saveGroup || !backend.restoreGroup || !backend.deleteGroup) throw new Error('groups declared but methods missing');
      const gid = uniqueName('group');
      const tuple = [[gid, null], [[['id-1', null], null], [['id-2', null], null]]];
      await backend.saveGroup(gid, tuple, KEEP);
      expect(await backend.restoreGroup(gid)).toEqual(tuple);
      await backend.deleteGroup(gid);
      expect(await backend.restoreGroup(gid)).toBeNull();
      expect(await backend.restoreGroup(uniqueName('never'))).toBeNull();
    });
  });
}
