/** A `q worker` process, run from source by the real CLI, for the interop tests. */
import { ROOT, TSX_ARGS } from './q-process.js';
import { startProcess } from './managed-process.js';
import type { ManagedProcess } from './managed-process.js';
import { envOf } from './python-celery.js';
import type { InteropEnv } from './python-celery.js';

/** The q app of the interop tests (it names no broker: `-b` and `--result-backend` decide). */
export const INTEROP_APP = 'e2e/apps/interop-app.ts';

/**
 * Starts `q -A e2e/apps/interop-app.ts -b <broker> --result-backend <backend> worker ...workerArgs` and waits
 * for `ready`.
 */
export async function startQWorker(urls: InteropEnv, workerArgs: readonly string[]): Promise<ManagedProcess> {
  const args = [...TSX_ARGS, 'packages/cli/src/bin.ts', '-A', INTEROP_APP,
    '-b', urls.broker, '--result-backend', urls.backend, '-l', 'info', 'worker', ...workerArgs];
  const worker = startProcess(process.execPath, args, { cwd: ROOT, env: envOf(urls) });
  await worker.waitFor(/\bready\b/, 30_000);
  return worker;
}
