/** Round trip: sequential apply → result calls against a running worker with results on; p50, p90 and p99. */
import { LIMITS } from '../config.js';
import type { RoundTripMeasure } from '../results.js';
import type { Context, System, WorkerConfig } from '../peers/types.js';
import { withWorker } from './worker-run.js';

/** The q-th quantile (0–1) of sorted values, nearest rank. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

export async function roundTripScenario(ctx: Context, system: System, config: WorkerConfig, n: number, warmup: number): Promise<RoundTripMeasure> {
  const roundTrip = system.roundTrip;
  if (!roundTrip) throw new Error(`${system.title} has no client of its own`);
  await ctx.broker.reset();
  try {
    const run = await withWorker(ctx, system, config, true, async (child) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const limit = LIMITS.workerStartMs + LIMITS.scenarioMs;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`round trips not done within ${limit} ms`)), limit);
      });
      const died = child.wait().then((code) => {
        throw new Error(`${config.label} exited (${code}) during the round trips; output:\n${child.tail}`);
      });
      try {
        return await Promise.race([roundTrip.call(system, ctx, n, warmup), timedOut, died]);
      } finally {
        clearTimeout(timer);
        died.catch(() => undefined);
      }
    });
    const sorted = [...run.value].sort((a, b) => a - b);
    if (sorted.length !== n) throw new Error(`expected ${n} latencies, got ${sorted.length}`);
    return {
      p50Ms: quantile(sorted, 0.5),
      p90Ms: quantile(sorted, 0.9),
      p99Ms: quantile(sorted, 0.99),
      meanMs: sorted.reduce((a, b) => a + b, 0) / n,
      rss: run.rss,
    };
  } finally {
    await ctx.broker.reset();
  }
}
