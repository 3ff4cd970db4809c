/**
 * A worker process for the length of one scenario: started, waited for (bounded), its peak RSS read while
 * alive, and always stopped with its process group.
 */
import { LIMITS } from '../config.js';
import type { Child } from '../proc.js';
import { treeCpuMs } from '../cpu.js';
import { treePeakRss, type TreeRss } from '../rss.js';
import type { Context, System, WorkerConfig } from '../peers/types.js';

export interface WorkerRun<T> {
  value: T;
  rss: TreeRss | null;
  /** CPU the worker (and its children) used while `body` ran, ms. */
  cpuMs: number;
}

/** Starts a worker, runs `body` with it, reads its peak RSS, stops it (also on error). */
export async function withWorker<T>(
  ctx: Context,
  system: System,
  config: WorkerConfig,
  results: boolean,
  body: (child: Child) => Promise<T>,
): Promise<WorkerRun<T>> {
  const { child, ready } = system.startWorker(ctx, config, results);
  try {
    await ready;
    const cpuBefore = treeCpuMs(child.pid);
    const value = await body(child);
    const cpuMs = treeCpuMs(child.pid) - cpuBefore;
    const rss = treePeakRss(child.pid);
    return { value, rss, cpuMs };
  } finally {
    await child.stop(LIMITS.stopGraceMs);
  }
}
