/**
 * The q app of the kill tests (e2e/test/reliability-kill.integration.test.ts), run by the real CLI:
 *
 *   q -A e2e/apps/reliability-app.ts -b redis://127.0.0.1:<port>/0?visibility_timeout=5 worker -P prefork -c 2
 *
 * One task, `reliability.record(n)`, acknowledged late (`task.acksLate`: the message is acked after the body ran,
 * so a worker killed mid-task leaves it to the broker), without results. Each run does `HINCRBY runs <n> 1` and
 * `INCR total` on the ledger (`RELIABILITY_LEDGER`, a Redis URL), which counts the runs of every task across worker
 * restarts: a task that ran is a field, a duplicate run a count above 1. `RELIABILITY_TASK_MS` (default 0) makes
 * each run sleep that long first, to slow a pool that would drain everything before the first kill. It names no
 * broker: `-b` decides.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Plugin } from '@q/core';
import { createApp } from '@q/core';
import { Redis } from 'ioredis';

/** The ledger hash: task number → runs. */
export const RUNS_KEY = 'runs';
/** The ledger counter of every run. */
export const TOTAL_KEY = 'total';

const url = process.env['RELIABILITY_LEDGER'] ?? 'redis://127.0.0.1:6379/15';
const taskMs = Number(process.env['RELIABILITY_TASK_MS'] ?? 0);
let ledger: Redis | null = null;

const close = async (): Promise<void> => {
  const open = ledger;
  ledger = null;
  if (open) await open.quit().catch(() => open.disconnect());
};

/** Closes the ledger in the worker and in each `prefork`/`threads` child (an open socket keeps a thread alive). */
const closeLedger: Plugin = {
  name: 'reliability-ledger',
  setup: (api) => {
    api.hook('workerShutdown', close);
    api.hook('workerProcessShutdown', close);
  },
};

export const app = createApp({
  name: 'reliability',
  backend: null,
  plugins: [closeLedger],
  task: { acksLate: true, ignoreResult: true },
});

app.task('reliability.record', async (n: number) => {
  if (taskMs > 0) await delay(taskMs);
  ledger ??= new Redis(url, { maxRetriesPerRequest: 2 });
  const replies = (await ledger.multi().hincrby(RUNS_KEY, String(n), 1).incr(TOTAL_KEY).exec()) ?? [];
  for (const [err] of replies) if (err) throw err;
});
