/** A `q worker` process on Redis, run from source by the real CLI, for the interop tests. */
import { ROOT } from './q-process.js';
import { startProcess } from './managed-process.js';
import type { ManagedProcess } from './managed-process.js';
import type { InteropEnv } from './python-celery.js';

/** The q app of the interop tests (it names no broker: `-b` decides). */
export const REDIS_APP = 'e2e/apps/redis-app.ts';

/**
 * Starts `q -A e2e/apps/redis-app.ts -b <broker> --result-backend <backend> worker ...workerArgs` and waits
 * for `ready`.
 */
export async function startQWorker(urls: InteropEnv, workerArgs: readonly string[]): Promise<ManagedProcess> {
  const args = ['--conditions=source', '--import', 'tsx', 'packages/cli/src/bin.ts', '-A', REDIS_APP,
    '-b', urls.broker, '--result-backend', urls.backend, '-l', 'info', 'worker', ...workerArgs];
  const worker = startProcess(process.execPath, args, { cwd: ROOT, env: { INTEROP_LEDGER: urls.ledger } });
  await worker.waitFor(/\bready\b/, 30_000);
  return worker;
}
