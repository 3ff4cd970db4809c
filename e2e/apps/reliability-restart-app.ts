/**
 * The q app of the broker/backend restart and partition tests (`e2e/test/reliability-restart.integration.test.ts`),
 * run by the real CLI:
 *
 *   q -A e2e/apps/reliability-restart-app.ts -b redis://127.0.0.1:<port>/0 --result-backend redis://127.0.0.1:<port>/0 worker
 *
 * It names no broker and imports no adapter: `-b` and `--result-backend` resolve them by scheme. Its one task,
 * `restart.work(n)`, waits `RESTART_TASK_MS` ms (default 10) and returns `n`, so a run of a few thousand tasks
 * lasts long enough for the tests to restart a server in the middle of it.
 */
import { createApp } from '@q/core';

const taskMs = Number(process.env['RESTART_TASK_MS'] ?? '10');

export const app = createApp({ name: 'reliability-restart' });

app.task('restart.work', async (n: number) => {
  await new Promise((resolve) => setTimeout(resolve, taskMs));
  return n;
});
