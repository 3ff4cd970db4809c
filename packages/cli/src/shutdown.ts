/**
 * Signal handling of `q worker`, as in Celery's workers guide: SIGTERM or a first SIGINT (Ctrl-C) asks for a warm
 * shutdown (finish running tasks, then stop); a second SIGINT or a SIGQUIT asks for a cold one (abort running
 * tasks); a signal after that gives up waiting. SIGHUP stops warm and asks for a restart (the command runs again,
 * see `respawn.ts`) when the worker can restart, else stops warm. SIGUSR1 calls `onDump` (the running tasks and
 * stacks) — with a listener installed, Node no longer opens its inspector on SIGUSR1.
 */
import type { Logger } from '@q/core';

/** What can be stopped: a `Worker`. */
export interface Stoppable {
  stop(options: { graceful: boolean }): Promise<void>;
}

/** How the worker was stopped; `restart`: warm, then the command runs again (SIGHUP). */
export type ShutdownKind = 'warm' | 'cold' | 'restart';

/** Where the signals come from: `process`, or an emitter in tests. */
export interface SignalSource {
  on(signal: NodeJS.Signals, listener: () => void): unknown;
  off(signal: NodeJS.Signals, listener: () => void): unknown;
}

/** Installed handlers. */
export interface ShutdownWatch {
  /** Settles once the worker stopped, with how it was stopped. Rejects when `stop()` fails. */
  readonly done: Promise<ShutdownKind>;
  /** Removes the handlers. */
  dispose(): void;
}

/** Options of {@link watchShutdownSignals}. */
export interface ShutdownWatchOptions {
  logger: Logger;
  source?: SignalSource;
  /** Whether SIGHUP restarts (else it stops warm): false when the command cannot run again here. */
  canRestart?: boolean;
  /** What SIGUSR1 does (log the running tasks); without it SIGUSR1 is logged and ignored. */
  onDump?: () => void;
}

/** The signals `q worker` handles; none keeps Node's default behaviour. */
export const WORKER_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGHUP', 'SIGUSR1'] as const;

const STOP_LINES: Readonly<Record<ShutdownKind, string>> = {
  warm: 'worker: warm shutdown (waiting for running tasks)',
  cold: 'worker: cold shutdown',
  restart: 'worker: restarting (warm shutdown, then the same command again)',
};

/** Installs SIGTERM/SIGINT/SIGQUIT/SIGHUP/SIGUSR1 handlers that stop `worker` warm, cold or for a restart. */
export function watchShutdownSignals(worker: Stoppable, options: ShutdownWatchOptions): ShutdownWatch {
  const source = options.source ?? process;
  const { logger } = options;
  let kind: ShutdownKind | null = null;
  let settle!: (kind: ShutdownKind) => void;
  let fail!: (err: unknown) => void;
  const done = new Promise<ShutdownKind>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });

  const stop = (next: ShutdownKind, signal: NodeJS.Signals) => {
    kind = next;
    logger.warn({ signal }, STOP_LINES[next]);
    worker.stop({ graceful: next !== 'cold' }).then(
      () => settle(kind ?? next),
      (err: unknown) => fail(err),
    );
  };

  const handlers: Record<(typeof WORKER_SIGNALS)[number], () => void> = {
    SIGTERM: () => {
      if (kind === null) stop('warm', 'SIGTERM');
      else logger.info({ signal: 'SIGTERM' }, 'worker: already shutting down');
    },
    SIGINT: () => {
      if (kind === null) stop('warm', 'SIGINT');
      else if (kind !== 'cold') stop('cold', 'SIGINT');
      else settle('cold');
    },
    SIGQUIT: () => {
      if (kind !== 'cold') stop('cold', 'SIGQUIT');
      else settle('cold');
    },
    SIGHUP: () => {
      if (kind === null) stop(options.canRestart === true ? 'restart' : 'warm', 'SIGHUP');
      else logger.info({ signal: 'SIGHUP' }, 'worker: already shutting down');
    },
    SIGUSR1: () => {
      if (options.onDump === undefined) logger.info({ signal: 'SIGUSR1' }, 'worker: nothing to dump');
      else options.onDump();
    },
  };
  for (const [signal, handler] of Object.entries(handlers)) source.on(signal as NodeJS.Signals, handler);

  return {
    done,
    dispose() {
      for (const [signal, handler] of Object.entries(handlers)) source.off(signal as NodeJS.Signals, handler);
    },
  };
}
