/**
 * The kill loop of the reliability kill tests: start a worker, let it run tasks for an interval, SIGKILL it,
 * start it again with the same arguments, until the ledger shows every task ran at least once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ManagedProcess } from './managed-process.js';

/** What the ledger says so far. */
export interface LedgerProgress {
  /** Tasks that ran at least once. */
  distinct: number;
  /** Runs in all (duplicates included). */
  total: number;
}

/** How to run the loop. */
export interface KillLoopOptions {
  /** Spawns a worker (same arguments every time); the loop waits for its first run itself. */
  start(): ManagedProcess;
  progress(): Promise<LedgerProgress>;
  /** Tasks that must run: the loop ends once `distinct` reaches it. */
  expected: number;
  /** How long each worker runs tasks before its SIGKILL, from its first run (2,000 ms in the tests). */
  intervalMs: number;
  /** The whole loop's bound: past it, the loop fails with the number of tasks that never ran. */
  timeoutMs: number;
}

/** How the loop went. */
export interface KillLoopResult {
  /** SIGKILLs sent (each to a worker that had run tasks for `intervalMs`). */
  kills: number;
  /** The last worker, still running: it finishes what came back to the broker. */
  worker: ManagedProcess;
  /** Per killed worker: ms from its spawn to its first run, and the runs it made before its SIGKILL. */
  cycles: { firstRunMs: number; runs: number }[];
}

/** SIGKILL to the worker process only (as the OOM killer or `kill -9` would), then to whatever its group left. */
export async function sigkill(worker: ManagedProcess): Promise<void> {
  const pid = worker.child.pid;
  if (pid === undefined) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // exited already
  }
  await worker.exited();
  try {
    process.kill(-pid, 'SIGKILL'); // pool children still around (prefork children exit with their parent)
  } catch {
    // the group is gone
  }
}

/** Runs the loop; see {@link KillLoopOptions}. Rejects past the timeout or when a worker exits by itself. */
export async function killLoop(o: KillLoopOptions): Promise<KillLoopResult> {
  const deadline = Date.now() + o.timeoutMs;
  let kills = 0;
  const cycles: KillLoopResult['cycles'] = [];
  for (;;) {
    const spawnedAt = Date.now();
    const worker = o.start();
    const before = (await o.progress()).total;
    let firstRunAt: number | null = null;
    for (;;) {
      const p = await o.progress();
      if (p.distinct >= o.expected) return { kills, worker, cycles };
      const died = worker.child.exitCode !== null || worker.child.signalCode !== null;
      if (died || Date.now() > deadline) {
        await sigkill(worker);
        const why = died ? 'a worker exited by itself' : `timed out after ${o.timeoutMs} ms`;
        throw new Error(`${why}: ${o.expected - p.distinct} of ${o.expected} tasks never ran (${kills} kills)\n${worker.output().slice(-3000)}`);
      }
      if (firstRunAt === null && p.total > before) firstRunAt = Date.now();
      if (firstRunAt !== null && Date.now() - firstRunAt >= o.intervalMs) break;
      await sleep(50);
    }
    await sigkill(worker);
    kills++;
    cycles.push({ firstRunMs: (firstRunAt ?? spawnedAt) - spawnedAt, runs: (await o.progress()).total - before });
  }
}
