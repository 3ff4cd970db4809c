/**
 * Chord counters (backends with `onChordPartReturn` and `chords: 'unlock'` — the generic key-value counter — or
 * `native`): the header completes exactly once, when its last task returns, with every result in group order.
 */
import type { ChordProgress } from '@q/core/adapter';
import { describe, expect, it } from 'vitest';
import { uniqueName } from '../helpers.js';
import { KEEP, failure, meta, type ResultBackendContext } from './context.js';

export function chordTests(ctx: ResultBackendContext): void {
  describe('chord parts', () => {
    it('completes once, on the last header task, with results in group order', async (test) => {
      const backend = await ctx.open();
      if (!backend.onChordPartReturn || !backend.saveGroup) {
        test.skip();
        return;
      }
      const gid = uniqueName('chord');
      const ids = [uniqueName('h0'), uniqueName('h1'), uniqueName('h2')];
      await backend.saveGroup(gid, [[gid, null], ids.map((id) => [[id, null], null])], KEEP);
      await backend.setChordSize?.(gid, ids.length, KEEP);
      const progress: ChordProgress[] = [];
      for (const i of [2, 0, 1]) {
        const id = ids[i] as string;
        const m = meta(id, 'SUCCESS', i * 10, { groupId: gid });
        await backend.storeResult(m, KEEP);
        progress.push(await backend.onChordPartReturn({ groupId: gid, groupIndex: i, taskId: id, meta: m }));
      }
      expect(progress.map((p) => p.complete)).toEqual([false, false, true]);
      expect(progress[2]).toEqual({ complete: true, results: [0, 10, 20], failed: null });
    });

    it('reports the failed header task', async (test) => {
      const backend = await ctx.open();
      if (!backend.onChordPartReturn || !backend.saveGroup) {
        test.skip();
        return;
      }
      const gid = uniqueName('chordfail');
      const ids = [uniqueName('f0'), uniqueName('f1')];
      await backend.saveGroup(gid, [[gid, null], ids.map((id) => [[id, null], null])], KEEP);
      await backend.setChordSize?.(gid, ids.length, KEEP);
      const ok = meta(ids[0] as string, 'SUCCESS', 1, { groupId: gid });
      const bad = { ...failure(ids[1] as string, 'boom'), groupId: gid };
      await backend.storeResult(ok, KEEP);
      await backend.onChordPartReturn({ groupId: gid, groupIndex: 0, taskId: ok.taskId, meta: ok });
      await backend.storeResult(bad, KEEP);
      const last = await backend.onChordPartReturn({ groupId: gid, groupIndex: 1, taskId: bad.taskId, meta: bad });
      expect(last.complete).toBe(true);
      if (last.complete) expect(last.failed?.taskId).toBe(ids[1]);
    });
  });
}
