/** Stopping and terminating: graceful stops wait, cold stops and an aborted outer signal resolve `terminated`. */
import { describe, expect, it } from 'vitest';
import type { PoolContext } from './context.js';
import { suiteJob } from './suite-jobs.js';

export function stopTerminateTests(ctx: PoolContext): void {
  describe('stop and terminate', () => {
    it('a graceful stop waits for the running job; a job run after stop resolves terminated', async () => {
      const pool = await ctx.open(1);
      const running = pool.run(suiteJob('suite.sleep', [200]), {});
      await new Promise((resolve) => setTimeout(resolve, 50));
      await pool.stop({ graceful: true });
      expect(await running).toMatchObject({ kind: 'success', value: 200 });
      expect((await pool.run(suiteJob('suite.echo', [1]), {})).kind).toBe('terminated');
    });

    it('a cold stop resolves the running job terminated at once', async () => {
      const pool = await ctx.open(1);
      const running = pool.run(suiteJob('suite.sleep', [5000]), {});
      await new Promise((resolve) => setTimeout(resolve, 50));
      const started = performance.now();
      await pool.stop({ graceful: false });
      expect((await running).kind).toBe('terminated');
      expect(performance.now() - started).toBeLessThan(ctx.slackMs + 1000);
    });

    it('an aborted outer signal resolves the job terminated with its reason', async () => {
      const pool = await ctx.open(1);
      const controller = new AbortController();
      const running = pool.run(suiteJob('suite.sleep', [5000]), { signal: controller.signal });
      await new Promise((resolve) => setTimeout(resolve, 50));
      controller.abort('revoked');
      expect(await running).toMatchObject({ kind: 'terminated', reason: 'revoked' });
      expect((await pool.run(suiteJob('suite.echo', ['after']), {})).kind).toBe('success');
    });
  });
}
