/**
 * Why a job was terminated by a revoke: a `TaskRevokedError('terminated')` (what the trace stores as REVOKED
 * `terminated`) that names the signal asked for (`SIGTERM` unless the revoke said otherwise). A pool with child
 * processes sends that signal to the child it kills; on the event loop the job's `AbortSignal` aborts with it.
 */
import { constants } from 'node:os';
import { ConfigError, TaskRevokedError } from '@q/core';

/** The abort reason of a job stopped by a revoke with `terminate`. */
export interface TerminateReason extends TaskRevokedError {
  /** Signal name for pools that kill a process (`SIGTERM`, `SIGKILL`, …). */
  readonly signal: NodeJS.Signals;
}

/**
 * A signal's name from what a user or remote control gives (`TERM`, `sigkill`, `SIGUSR1`, `9`), as Celery's
 * `signum()` takes them. Default `SIGTERM`.
 *
 * @throws ConfigError `Q_ERR_CONFIG_INVALID` for a name or number that is no signal.
 */
export function signalName(given: string | number | undefined): NodeJS.Signals {
  if (given === undefined) return 'SIGTERM';
  const signals = constants.signals as Record<string, number>;
  if (typeof given === 'number' || /^\d+$/.test(given)) {
    const num = Number(given);
    const found = Object.keys(signals).find((name) => signals[name] === num);
    if (found !== undefined) return found as NodeJS.Signals;
  } else {
    const upper = given.toUpperCase();
    const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
    if (signals[name] !== undefined) return name as NodeJS.Signals;
  }
  throw new ConfigError('Q_ERR_CONFIG_INVALID', `revoke: invalid signal ${JSON.stringify(given)}`);
}

/** The reason a revoke with `terminate` aborts a running job with. */
export function terminateReason(signal: NodeJS.Signals): TerminateReason {
  return Object.assign(new TaskRevokedError('Q_ERR_TASK_REVOKED', 'terminated'), { signal });
}

/** The signal a terminated job's abort reason asks for (`null` when the reason is not a revoke's). */
export function terminateSignal(reason: unknown): NodeJS.Signals | null {
  if (!(reason instanceof TaskRevokedError)) return null;
  const signal = (reason as Partial<TerminateReason>).signal;
  return typeof signal === 'string' ? signal : null;
}

/** The number of the signal a terminated job's abort reason asks for (`task-revoked`'s `signum`; `null` when none). */
export function signalNumber(reason: unknown): number | null {
  const signal = terminateSignal(reason);
  return signal === null ? null : ((constants.signals as Record<string, number>)[signal] ?? null);
}
