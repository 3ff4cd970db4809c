/**
 * Revoking tasks on a worker (Celery's remote-control `revoke` → `_revoke`): the ids join the revoked set, so
 * their messages are skipped (stored REVOKED `revoked`, acked) when they arrive or get a pool slot; with
 * `terminate`, the ones running now are stopped (stored REVOKED `terminated`).
 */
import type { Logger } from '@q/core';
import type { NodeState } from './node-state.js';
import { signalName, terminateReason } from './terminate-reason.js';

/** Options of `worker.revoke`. */
export interface RevokeOptions {
  /** Also stop the tasks that are running now (Celery's `terminate=True`). */
  terminate?: boolean;
  /**
   * Signal for pools that kill a process to stop a task with: a name (`TERM`, `SIGKILL`) or number; default
   * `SIGTERM`. On the event loop (`async`, `solo`) the task's `AbortSignal` aborts whatever the signal.
   */
  signal?: string | number;
}

/** What `worker.revoke` did (what the remote-control reply reports). */
export interface RevokeResult {
  /** The ids now in the revoked set. */
  revoked: string[];
  /** The ids of the running tasks told to stop (`terminate` only). */
  terminated: string[];
  /** The signal name the terminate used (`terminate` only). */
  signal: NodeJS.Signals | null;
}

/**
 * Revoke `ids` on `state`; see the module comment.
 *
 * @throws ConfigError `Q_ERR_CONFIG_INVALID` for an unknown `signal` (nothing is revoked then).
 */
export function revokeTasks(state: NodeState, ids: string | readonly string[], options: RevokeOptions, logger: Logger): RevokeResult {
  const unique = [...new Set(typeof ids === 'string' ? [ids] : ids)];
  const signal = options.terminate === true ? signalName(options.signal) : null;
  state.revoke(unique);
  if (signal === null) {
    if (unique.length > 0) logger.info(`Tasks flagged as revoked: ${unique.join(', ')}`);
    return { revoked: unique, terminated: [], signal: null };
  }
  const terminated = state.running.terminate(unique, (id) => {
    logger.info(`Terminating ${id} (${signal})`);
    return terminateReason(signal);
  });
  if (terminated.length === 0) logger.info(`Tasks flagged as revoked: ${unique.join(', ')} (terminate: tasks unknown)`);
  return { revoked: unique, terminated, signal };
}
