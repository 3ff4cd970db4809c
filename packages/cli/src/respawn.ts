/**
 * How `q worker` restarts on SIGHUP: Node cannot `exec()` itself as Celery does (`os.execv`), so once the worker
 * stopped warm (and its pidfile is gone) the same command is started again — the same Node binary and flags
 * (`process.execArgv`), the same arguments, environment, working directory and standard streams — and this process
 * exits. The new worker has a new pid (it writes its own pidfile) and stays in this process's group.
 */
import { spawn } from 'node:child_process';

/** Starts this process's command again, detached from this process's lifetime; returns the new pid. */
export function respawnSelf(): number | undefined {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    cwd: process.cwd(),
    env: process.env,
    stdio: 'inherit',
  });
  child.on('error', (err) => process.stderr.write(`error: could not restart ${process.argv.slice(1).join(' ')}: ${err.message}\n`));
  child.unref();
  return child.pid;
}
