/** A stored SUCCESS is final: no later state overwrites it (Celery's writer rule). */
import { describe, expect, it } from 'vitest';
import { uniqueName } from '../helpers.js';
import { KEEP, failure, meta, type ResultBackendContext } from './context.js';

export function successFinalTests(ctx: ResultBackendContext): void {
  describe('SUCCESS is final', () => {
    it('does not overwrite a SUCCESS with FAILURE, STARTED or another SUCCESS', async () => {
      const backend = await ctx.open();
      const id = uniqueName('final');
      await backend.storeResult(meta(id, 'SUCCESS', 'first'), KEEP);
      await backend.storeResult(failure(id, 'late failure'), KEEP);
      await backend.storeResult(meta(id, 'STARTED', { pid: 2, hostname: 'w@h' }), KEEP);
      await backend.storeResult(meta(id, 'SUCCESS', 'second'), KEEP);
      expect(await backend.getTaskMeta(id)).toMatchObject({ status: 'SUCCESS', result: 'first' });
    });

    it('a FAILURE can still be replaced (a retried task that then succeeds)', async () => {
      const backend = await ctx.open();
      const id = uniqueName('refail');
      await backend.storeResult(failure(id, 'first try'), KEEP);
      await backend.storeResult(meta(id, 'SUCCESS', 'ok'), KEEP);
      expect(await backend.getTaskMeta(id)).toMatchObject({ status: 'SUCCESS', result: 'ok' });
    });
  });
}
