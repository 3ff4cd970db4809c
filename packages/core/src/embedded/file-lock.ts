/**
 * A cross-process lock on a file path: the lock is the file `<path>.lock` created with `O_EXCL` (`wx`), so only
 * one process can hold it. Waiters retry with a short pause; a lock older than `staleMs` (its holder died) is
 * broken.
 */
import { open, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { QError } from '../errors/q-error.js';
import { isExists, isNotFound, removeIfExists } from './fs-util.js';

/** Options of {@link withFileLock}. */
export interface FileLockOptions {
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
  /** A lock file older than this is considered abandoned (default 10 s). */
  staleMs?: number;
  /** Pause between attempts (default 5 ms). */
  retryMs?: number;
}

/** Run `fn` while holding the lock of `path`. */
export async function withFileLock<T>(path: string, fn: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const lockPath = `${path}.lock`;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const staleMs = options.staleMs ?? 10_000;
  const retryMs = options.retryMs ?? 5;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.close();
      break;
    } catch (error) {
      if (!isExists(error)) throw error;
    }
    await breakIfStale(lockPath, staleMs);
    if (Date.now() > deadline) {
      throw new QError('Q_ERR_TIMEOUT', `could not lock ${path} within ${timeoutMs} ms`, { retryable: true });
    }
    await sleep(retryMs + Math.random() * retryMs);
  }
  try {
    return await fn();
  } finally {
    await removeIfExists(lockPath);
  }
}

async function breakIfStale(lockPath: string, staleMs: number): Promise<void> {
  try {
    const info = await stat(lockPath);
    if (Date.now() - info.mtimeMs > staleMs) await removeIfExists(lockPath);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}
