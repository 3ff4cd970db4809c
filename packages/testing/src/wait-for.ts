/**
 * Polling without fixed sleeps: read a value until a condition holds, and fail with a {@link TimeoutError} that says
 * what was awaited and what was last seen.
 */
import { TimeoutError } from '@q/core';

/** Options of {@link waitFor}. */
export interface WaitForOptions<T = unknown> {
  /** How long to wait before failing (default 5000 ms). */
  timeoutMs?: number;
  /** Pause between two reads (default 5 ms). */
  intervalMs?: number;
  /** What is awaited, for the timeout error (default `condition`). */
  what?: string;
  /** The error to throw on timeout, from the last value read (default: a `TimeoutError` naming `what` and the value). */
  onTimeout?: (last: T, timeoutMs: number) => Error;
  /** Stops waiting: the wait rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** The default of {@link WaitForOptions.timeoutMs}. */
export const DEFAULT_WAIT_MS = 5000;

/** A short text for `value` in an error message (never throws: cycles and bigints are described, not serialised). */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  try {
    const text = JSON.stringify(value);
    return text.length > 500 ? `${text.slice(0, 500)}…` : text;
  } catch {
    return String(value);
  }
}

/**
 * Calls `read` until `done` holds for what it returns, and resolves with that value. The first read is immediate;
 * after `timeoutMs` the wait rejects with a `TimeoutError` (`Q_ERR_TIMEOUT`) naming `what` and the last value read.
 *
 * ```ts
 * await waitFor(() => seen.length, (n) => n === 3, { what: 'three events' });
 * ```
 */
export async function waitFor<T>(read: () => T | Promise<T>, done: (value: T) => boolean, options: WaitForOptions<T> = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_MS;
  const intervalMs = options.intervalMs ?? 5;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    options.signal?.throwIfAborted();
    const value = await read();
    if (done(value)) return value;
    if (Date.now() >= deadline) {
      throw options.onTimeout?.(value, timeoutMs) ??
        new TimeoutError('Q_ERR_TIMEOUT', `timed out after ${timeoutMs} ms waiting for ${options.what ?? 'condition'}; last value: ${describeValue(value)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
