/** Storing and reading task states: PENDING is `null`, documents round-trip, states move forward, getMany. */
import { describe, expect, it } from 'vitest';
import { uniqueName } from '../helpers.js';
import { failure, meta, type ResultBackendContext } from './context.js';

export function storeGetTests(ctx: ResultBackendContext): void {
  describe('store and get', () => {
    it('an unknown task id has no meta (PENDING)', async () => {
      const backend = await ctx.open();
      expect(await backend.getTaskMeta(uniqueName('unknown'))).toBeNull();
    });

    it('stores and reads back a SUCCESS with its result, traceback and children', async () => {
      const backend = await ctx.open();
      const id = uniqueName('ok');
      const stored = meta(id, 'SUCCESS', { sum: 4, items: [1, 'two', null] }, { children: [[['child-id', null], null]] });
      await ctx.store(backend, stored);
      const { dateDone: _dateDone, ...sent } = stored;
      expect(await ctx.read(backend, id)).toMatchObject(sent);
    });

    // Caller-read backends carry only task_id, status, result, traceback and children (Celery's rpc message).
    it.skipIf(ctx.readers === 'caller')('stores and reads back a SUCCESS with every field (date_done, group, parent)', async () => {
      const backend = await ctx.open();
      const id = uniqueName('full');
      const stored = meta(id, 'SUCCESS', { sum: 4, items: [1, 'two', null] }, {
        children: [[['child-id', null], null]],
        groupId: 'group-1',
        parentId: 'parent-1',
      });
      await ctx.store(backend, stored);
      expect(await ctx.read(backend, id)).toMatchObject(stored);
    });

    it('stores a FAILURE with its exception and traceback', async () => {
      const backend = await ctx.open();
      const id = uniqueName('fail');
      await ctx.store(backend, failure(id, 'bad thing'));
      const got = await ctx.read(backend, id);
      expect(got?.status).toBe('FAILURE');
      expect(got?.result).toEqual({ exc_type: 'ValueError', exc_message: ['bad thing'], exc_module: 'builtins' });
      expect(got?.traceback).toContain('ValueError: bad thing');
    });

    it('a later state replaces an earlier one (STARTED → RETRY → SUCCESS)', async () => {
      const backend = await ctx.open();
      const id = uniqueName('progress');
      await ctx.store(backend, meta(id, 'STARTED', { pid: 1, hostname: 'w@h' }));
      expect((await ctx.read(backend, id))?.status).toBe('STARTED');
      await ctx.store(backend, meta(id, 'RETRY', { exc_type: 'Retry', exc_message: [], exc_module: 'celery.exceptions' }));
      expect((await ctx.read(backend, id))?.status).toBe('RETRY');
      await ctx.store(backend, meta(id, 'SUCCESS', 42));
      expect(await ctx.read(backend, id)).toMatchObject({ status: 'SUCCESS', result: 42 });
    });

    it('getMany returns metas in order, null for unknown ids', async (test) => {
      const backend = await ctx.open();
      if (!backend.getMany) {
        test.skip();
        return;
      }
      const a = uniqueName('a');
      const b = uniqueName('b');
      await ctx.store(backend, meta(a, 'SUCCESS', 1));
      await ctx.store(backend, meta(b, 'SUCCESS', 2));
      await ctx.settle(backend);
      const got = await backend.getMany([b, uniqueName('none'), a]);
      expect(got.map((m) => m?.result ?? null)).toEqual([2, null, 1]);
    });
  });
}
