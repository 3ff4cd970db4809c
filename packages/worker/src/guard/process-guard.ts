/**
 * The process guard (issue 13, "a worker that stays up"): a stray throw or rejection — from a timer callback or a
 * promise a task started and forgot — is logged and never ends the process. When core's `currentTask()` names the
 * task it came from (its `AsyncLocalStorage` follows timers, callbacks and promises, and Node runs the
 * `uncaughtException` / `unhandledRejection` listeners in the failing context) and that task is still running, it
 * fails with the error once its body settles (whatever the body returns); other tasks and their messages are
 * untouched.
 *
 * Installed by `Worker.start()` (option `guardProcess`, default true) and removed at stop; several workers in one
 * process share one pair of listeners.
 */
import { currentTask } from '@q/core/internal';
import type { Logger } from '@q/core';
import { failRunningTask } from './running-tasks.js';

/** Where the listeners go: `process`, or an emitter in tests. */
export interface GuardSource {
  on(event: 'uncaughtException' | 'unhandledRejection', listener: (err: unknown) => void): unknown;
  off(event: 'uncaughtException' | 'unhandledRejection', listener: (err: unknown) => void): unknown;
}

/** A worker's part of the guard: its logger, by node name. */
interface Guarded {
  readonly hostname: string;
  readonly logger: Logger;
}

/** Which way a stray error came. */
export type StrayKind = 'uncaughtException' | 'unhandledRejection';

const KEY = Symbol.for('q.worker.processGuard');
interface GuardState {
  guarded: Guarded[];
  source: GuardSource | null;
  listeners: { uncaughtException: (err: unknown) => void; unhandledRejection: (err: unknown) => void } | null;
}
const state: GuardState = ((globalThis as Record<symbol, unknown>)[KEY] ??= { guarded: [], source: null, listeners: null }) as GuardState;

/**
 * Handles one stray error: fails the task it came from when that task is still running, and logs it (with the
 * logger of the worker running that task, else the first guarded worker's).
 */
export function handleStrayError(err: unknown, kind: StrayKind): void {
  const how = kind === 'uncaughtException' ? 'uncaught exception' : 'unhandled promise rejection';
  const first = state.guarded[0];
  try {
    const running = currentTask();
    const failed = running === undefined ? null : failRunningTask(running, err);
    if (failed !== null) {
      const logger = state.guarded.find((g) => g.hostname === failed.hostname)?.logger ?? first?.logger;
      logger?.error({ err, taskId: failed.id, task: failed.name }, `${how} in task ${failed.name}[${failed.id}]: the task fails with it; the worker goes on`);
    } else if (running !== undefined) {
      first?.logger.error({ err, taskId: running.id }, `${how} from task [${running.id}], which had already finished; the worker goes on`);
    } else {
      first?.logger.error({ err }, `${how} outside any task; the worker goes on`);
    }
  } catch {
    // Logging must not throw from here (that would be another uncaught exception).
  }
}

/**
 * Guards the process while the worker `hostname` runs; returns the function that removes its part (the listeners
 * go once no worker is left).
 */
export function installProcessGuard(worker: Guarded, source: GuardSource = process as unknown as GuardSource): () => void {
  const entry: Guarded = { hostname: worker.hostname, logger: worker.logger };
  state.guarded.push(entry);
  if (state.listeners === null) {
    const listeners = {
      uncaughtException: (err: unknown) => handleStrayError(err, 'uncaughtException'),
      unhandledRejection: (err: unknown) => handleStrayError(err, 'unhandledRejection'),
    };
    source.on('uncaughtException', listeners.uncaughtException);
    source.on('unhandledRejection', listeners.unhandledRejection);
    state.listeners = listeners;
    state.source = source;
  }
  let removed = false;
  return () => {
    if (removed) return;
    removed = true;
    state.guarded.splice(state.guarded.indexOf(entry), 1);
    if (state.guarded.length === 0 && state.listeners !== null && state.source !== null) {
      state.source.off('uncaughtException', state.listeners.uncaughtException);
      state.source.off('unhandledRejection', state.listeners.unhandledRejection);
      state.listeners = null;
      state.source = null;
    }
  };
}
