/** Enqueue: each system's own client sends N no-op tasks as fast as it can. */
import type { EnqueueMeasure } from '../results.js';
import type { Context, System } from '../peers/types.js';

export async function enqueueScenario(ctx: Context, system: System, n: number): Promise<EnqueueMeasure> {
  if (!system.enqueue) throw new Error(`${system.title} has no client of its own`);
  await ctx.broker.reset();
  try {
    const out = await system.enqueue(ctx, n);
    // Every message must be in the queue (plus the client's warm-up message).
    const progress = await system.progress(ctx, out.count + 1, false);
    if (progress.taken !== 0) throw new Error(`${system.title}: expected ${out.count + 1} queued messages, found ${out.count + 1 - progress.taken}`);
    return { perSecond: out.count / out.seconds, seconds: out.seconds, method: out.method };
  } finally {
    await ctx.broker.reset();
  }
}
