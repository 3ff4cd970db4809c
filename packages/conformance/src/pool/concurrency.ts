/** Concurrency: up to `concurrency` bodies at once, the rest wait their turn; `active` counts the running ones. */
import { describe, expect, it } from 'vitest';
import type { PoolContext } from './context.js';
import { suiteJob } from './suite-jobs.js';

export function concurrencyTests(ctx: PoolContext): void {
  describe('concurrency', () => {
    it('runs `concurrency` jobs at once and queues the rest', async () => {
      const pool = await ctx.open(2);
      const n = pool.concurrency; // 2, or what the pool pins (solo: 1)
      expect(n).toBeGreaterThanOrEqual(1);
      const started = performance.now();
      const outcomes = await Promise.all(Array.from({ length: 2 * n }, () => pool.run(suiteJob('suite.sleep', [200]), {})));
      const elapsed = performance.now() - started;
      expect(outcomes.every((o) => o.kind === 'success')).toBe(true);
      expect(elapsed).toBeGreaterThanOrEqual(390);
      expect(elapsed).toBeLessThan(400 + ctx.slackMs);
      expect(pool.active).toBe(0);
    });
  });
}
