/**
 * Time limits: the soft limit aborts the body's signal with `Q_ERR_SOFT_TIME_LIMIT`; the hard limit resolves
 * `timeout`. A pool declaring `hardTimeout` stops a body that never yields, and runs the next job.
 */
import { describe, expect, it } from 'vitest';
import { capabilitiesOf, type PoolContext } from './context.js';
import { suiteJob } from './suite-jobs.js';

export function timeLimitTests(ctx: PoolContext, hardTimeout: boolean): void {
  describe('time limits', () => {
    it('aborts the signal at the soft limit; the body may catch it and return', async () => {
      const pool = await ctx.open(1);
      const outcome = await pool.run(suiteJob('suite.waitAbort'), { softTimeoutMs: 100 });
      expect(outcome).toMatchObject({ kind: 'success', value: 'Q_ERR_SOFT_TIME_LIMIT' });
    });

    it('resolves timeout at the hard limit', async () => {
      const pool = await ctx.open(1);
      const started = performance.now();
      const outcome = await pool.run(suiteJob('suite.sleep', [5000]), { hardTimeoutMs: 200 });
      expect(outcome.kind).toBe('timeout');
      expect(performance.now() - started).toBeLessThan(200 + ctx.slackMs);
    });

    it.runIf(hardTimeout)('stops a body that never yields at the hard limit and runs the next job', async () => {
      const pool = await ctx.open(1);
      expect(capabilitiesOf(pool).hardTimeout).toBe(true);
      const started = performance.now();
      const outcome = await pool.run(suiteJob('suite.spin', [60_000]), { hardTimeoutMs: 500 });
      expect(outcome.kind).toBe('timeout');
      expect(performance.now() - started).toBeLessThan(500 + ctx.slackMs);
      const next = await pool.run(suiteJob('suite.echo', ['next']), {});
      expect(next).toMatchObject({ kind: 'success', value: 'next' });
    }, 30_000);
  });
}
