/**
 * Drain: N tasks are pre-enqueued, then a worker starts. The clock runs from the first poll that sees a
 * message taken to the first poll that sees all N finished (results off: acknowledged/removed; results on:
 * N results stored or sent), polled every few ms from the broker, so worker start-up is not counted. Then the
 * broker checks what the worker left.
 */
import { LIMITS } from '../config.js';
import type { DrainMeasure } from '../results.js';
import type { Context, System, WorkerConfig } from '../peers/types.js';
import { withWorker } from './worker-run.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function drainScenario(ctx: Context, system: System, config: WorkerConfig, n: number, results: boolean): Promise<DrainMeasure> {
  await ctx.broker.reset();
  try {
    await system.preload(ctx, n, results);
    const before = await system.progress(ctx, n, results);
    if (before.taken !== 0) throw new Error(`pre-load left ${n - before.taken} messages, expected ${n}`);
    const run = await withWorker(ctx, system, config, results, async (child) => {
      const spawnedAt = performance.now();
      let t0: number | null = null;
      for (;;) {
        const now = performance.now();
        if (child.exited) throw new Error(`${config.label} exited during the drain; output:\n${child.tail}`);
        if (t0 === null && now - spawnedAt > LIMITS.workerStartMs) throw new Error(`${config.label} took no message within ${LIMITS.workerStartMs} ms; output:\n${child.tail}`);
        if (t0 !== null && now - t0 > LIMITS.scenarioMs) throw new Error(`${config.label} did not finish ${n} tasks within ${LIMITS.scenarioMs} ms`);
        const p = await system.progress(ctx, n, results);
        const at = performance.now();
        if (t0 === null && p.taken > 0) t0 = at;
        if (t0 !== null && p.finished >= n) return (at - t0) / 1000;
        await sleep(ctx.broker.pollMs ?? LIMITS.pollMs);
      }
    });
    await ctx.broker.checkDrain(n, results);
    return { perSecond: n / run.value, seconds: run.value, rss: run.rss, cpuUsPerTask: (run.cpuMs * 1000) / n };
  } finally {
    await ctx.broker.reset();
  }
}
