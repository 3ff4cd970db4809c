/** Isolation as declared: a pool declaring `thread` or `process` runs bodies off the caller's thread. */
import { threadId } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { capabilitiesOf, type PoolContext } from './context.js';
import { suiteJob } from './suite-jobs.js';

export function isolationTests(ctx: PoolContext): void {
  describe('isolation', () => {
    it('runs bodies where its capabilities say', async () => {
      const pool = await ctx.open(1);
      const { isolation } = capabilitiesOf(pool);
      const outcome = await pool.run(suiteJob('suite.where'), {});
      expect(outcome.kind).toBe('success');
      const [pid, thread] = String((outcome as { value: unknown }).value).split('/').map(Number);
      if (isolation === 'none') expect([pid, thread]).toEqual([process.pid, threadId]);
      if (isolation === 'thread') expect([pid, thread === threadId]).toEqual([process.pid, false]);
      if (isolation === 'process') expect(pid).not.toBe(process.pid);
    });
  });
}
