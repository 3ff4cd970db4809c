/** Storing and reading task states: PENDING is `null`, documents round-trip, states move forward, getMany. */
import { describe, expect, it } from 'vitest';
import { uniqueName } from '../helpers.js';
import { KEEP, failure, meta, type ResultBackendContext } from './context.js';

export function storeGetTests(ctx: ResultBackendContext): void {
  describe('store and get', () => {
    it('an unknown task id has no meta (PENDING)', async () => {
      const backend = await ctx.open();
      expect(await backend.getTaskMeta(uniqueName('unknown'))).toBeNull();
    });

    it('stores and reads back a SUCCESS with every field', async () => {
      const backend = await ctx.open();
      const id = uniqueName('ok');
      const stored = meta(id, 'SUCCESS', { sum: 4, items: [1, 'two', null] }, {
        children: [[['child-id', null], null]],
        groupId: 'group-1',
        parentId: 'parent-1',
      });
      await backend.storeResult(stored, KEEP);
      expect(await backend.getTaskMeta(id)).toMatchObject(stored);
    });

    it('stores a FAILURE with its exception and traceback', async () => {
      const backend = await ctx.open();
      const id = uniqueName('fail');
      await backend.storeResult(failure(id, 'bad thing'), KEEP);
      const got = await backend.getTaskMeta(id);
      expect(got?.status).toBe('FAILURE');
      expect(got?.result).toEqual({ exc_type: 'ValueError', exc_message: ['bad thing'], exc_module: 'builtins' });
      expect(got?.traceback).toContain('ValueError: bad thing');
    });

    it('a later state replaces an earlier one (STARTED → RETRY → SUCCESS)', async () => {
      const backend = await ctx.open();
      const id = uniqueName('progress');
      await backend.storeResult(meta(id, 'STARTED', { pid: 1, hostname: 'w@h' }), KEEP);
      expect((await backend.getTaskMeta(id))?.status).toBe('STARTED');
      await backend.storeResult(meta(id, 'RETRY', { exc_type: 'Retry', exc_message: [], exc_module: 'celery.exceptions' }), KEEP);
      expect((await backend.getTaskMeta(id))?.status).toBe('RETRY');
      await backend.storeResult(meta(id, 'SUCCESS', 42), KEEP);
      expect(await backend.getTaskMeta(id)).toMatchObject({ status: 'SUCCESS', result: 42 });
    });

    it('getMany returns metas in order, null for unknown ids', async (test) => {
      const backend = await ctx.open();
      if (!backend.getMany) {
        test.skip();
        return;
      }
      const a = uniqueName('a');
      const b = uniqueName('b');
      await backend.storeResult(meta(a, 'SUCCESS', 1), KEEP);
      await backend.storeResult(meta(b, 'SUCCESS', 2), KEEP);
      const got = await backend.getMany([b, uniqueName('none'), a]);
      expect(got.map((m) => m?.result ?? null)).toEqual([2, null, 1]);
    });
  });
}
