/** A stored SUCCESS is final: no later state overwrites it (Celery's writer rule). */
import { describe, expect, it } from 'vitest';
import { uniqueName } from '../helpers.js';
import { failure, meta, type ResultBackendContext } from './context.js';

export function successFinalTests(ctx: ResultBackendContext): void {
  describe('SUCCESS is final', () => {
    it('does not overwrite a SUCCESS with FAILURE, STARTED or another SUCCESS', async () => {
      const backend = await ctx.open();
      const id = uniqueName('final');
      await ctx.store(backend, meta(id, 'SUCCESS', 'first'));
      await ctx.store(backend, failure(id, 'late failure'));
      await ctx.store(backend, meta(id, 'STARTED', { pid: 2, hostname: 'w@h' }));
      await ctx.store(backend, meta(id, 'SUCCESS', 'second'));
      expect(await ctx.read(backend, id)).toMatchObject({ status: 'SUCCESS', result: 'first' });
    });

    it('a FAILURE can still be replaced (a retried task that then succeeds)', async () => {
      const backend = await ctx.open();
      const id = uniqueName('refail');
      await ctx.store(backend, failure(id, 'first try'));
      await ctx.store(backend, meta(id, 'SUCCESS', 'ok'));
      expect(await ctx.read(backend, id)).toMatchObject({ status: 'SUCCESS', result: 'ok' });
    });
  });
}
