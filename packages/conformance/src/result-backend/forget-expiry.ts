/** forget removes a result; results stored with an expiry disappear (backends with `autoExpire`). */
import { describe, expect, it } from 'vitest';
import { sleep, uniqueName } from '../helpers.js';
import { KEEP, meta, type ResultBackendContext } from './context.js';

export function forgetExpiryTests(ctx: ResultBackendContext, autoExpire: boolean): void {
  describe('forget and expiry', () => {
    it('forget makes the task PENDING again, even after SUCCESS', async () => {
      const backend = await ctx.open();
      const id = uniqueName('forget');
      await ctx.store(backend, meta(id, 'SUCCESS', 1));
      expect((await ctx.read(backend, id))?.result).toBe(1);
      await backend.forget(id);
      expect(await ctx.read(backend, id)).toBeNull();
      await backend.forget(uniqueName('never-stored'));
    });

    it.skipIf(!autoExpire)('a result stored with expiresMs disappears after it; one without stays', async () => {
      const backend = await ctx.open();
      const short = uniqueName('short');
      const kept = uniqueName('kept');
      await ctx.store(backend, meta(short, 'SUCCESS', 1), { expiresMs: ctx.expiresMs });
      await ctx.store(backend, meta(kept, 'SUCCESS', 2), KEEP);
      expect((await ctx.read(backend, short))?.result).toBe(1);
      await sleep(ctx.expiresMs + 100);
      expect(await backend.getTaskMeta(short)).toBeNull();
      expect((await backend.getTaskMeta(kept))?.result).toBe(2);
    });
  });
}
