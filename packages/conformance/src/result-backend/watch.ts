/** Push (backends with `push`): `watch` reports every state stored for the task until unsubscribed. */
import type { TaskMeta } from '@q/core';
import { describe, expect, it } from 'vitest';
import { sleep, uniqueName, waitUntil } from '../helpers.js';
import { meta, type ResultBackendContext } from './context.js';

export function watchTests(ctx: ResultBackendContext, push: boolean): void {
  describe.skipIf(!push)('watch', () => {
    it('reports stored states of the watched task only, until unsubscribed', async () => {
      const backend = await ctx.open();
      if (!backend.watch) throw new Error('push declared but watch missing');
      const id = uniqueName('watched');
      const seen: TaskMeta[] = [];
      const off = await backend.watch(id, (m) => seen.push(m));
      await ctx.store(backend, meta(uniqueName('other'), 'SUCCESS', 0));
      await ctx.store(backend, meta(id, 'STARTED', { pid: 1, hostname: 'w@h' }));
      await ctx.store(backend, meta(id, 'SUCCESS', 7));
      await waitUntil(() => seen.length >= 2, ctx.timeoutMs, 'two pushed states');
      expect(seen.map((m) => [m.taskId, m.status])).toEqual([
        [id, 'STARTED'],
        [id, 'SUCCESS'],
      ]);
      expect(seen[1]?.result).toBe(7);
      await off();
      await backend.forget(id);
      await ctx.store(backend, meta(id, 'SUCCESS', 8));
      await ctx.settle(backend);
      await sleep(100);
      expect(seen).toHaveLength(2);
    });
  });
}
