/** The worker's `--pidfile`: written at start, removed at exit, refused while another live process owns it. */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { UsageError } from './usage-error.js';

/** A pidfile this process wrote. */
export interface Pidfile {
  readonly path: string;
  /** Removes the file if it still holds this process's pid. */
  remove(): void;
}

/**
 * Writes `process.pid` to `path`. A stale pidfile (its process is gone) is replaced; a live one is an error,
 * so two workers cannot share a pidfile.
 */
export function acquirePidfile(path: string, pid: number = process.pid): Pidfile {
  const existing = readPid(path);
  if (existing !== null && existing !== pid && isAlive(existing)) {
    throw new UsageError(`--pidfile: ${path} belongs to the running process ${existing}; is a worker already running?`);
  }
  writeFileSync(path, `${pid}\n`, { mode: 0o644 });
  return {
    path,
    remove() {
      if (readPid(path) === pid) rmSync(path, { force: true });
    },
  };
}

function readPid(path: string): number | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
