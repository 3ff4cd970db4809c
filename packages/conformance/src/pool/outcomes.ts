/** Outcomes: a value, an error with its type, nothing thrown across the pool boundary. */
import { describe, expect, it } from 'vitest';
import type { PoolContext } from './context.js';
import { suiteJob } from './suite-jobs.js';

export function outcomeTests(ctx: PoolContext): void {
  describe('outcomes', () => {
    it('reports a success with the value the body returned', async () => {
      const pool = await ctx.open(1);
      const outcome = await pool.run(suiteJob('suite.echo', [{ n: 1, list: [1, 'two'] }]), {});
      expect(outcome).toMatchObject({ kind: 'success', value: { n: 1, list: [1, 'two'] } });
      expect(outcome.runtimeMs).toBeGreaterThanOrEqual(0);
    });

    it('reports a failure with an error that keeps its type and message', async () => {
      const pool = await ctx.open(1);
      const outcome = await pool.run(suiteJob('suite.fail', ['bad input']), {});
      expect(outcome.kind).toBe('failure');
      const error = (outcome as { error: Error }).error;
      expect(error.name).toBe('TypeError');
      expect(error.message).toBe('bad input');
    });
  });
}
