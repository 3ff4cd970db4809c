/**
 * Signal handling of `q worker`, as in Celery: SIGTERM or a first SIGINT (Ctrl-C) asks for a warm shutdown
 * (finish running tasks, then stop); a second SIGINT or a SIGQUIT asks for a cold one (abort running tasks);
 * a signal after that gives up waiting.
 */
import type { Logger } from '@q/core';

/** What can be stopped: a `Worker`. */
export interface Stoppable {
  stop(options: { graceful: boolean }): Promise<void>;
}

/** How the worker was stopped. */
export type ShutdownKind = 'warm' | 'cold';

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

/** Installs SIGTERM/SIGINT/SIGQUIT handlers that stop `worker` warm, then cold. */
export function watchShutdownSignals(
  worker: Stoppable,
  options: { logger: Logger; source?: SignalSource },
): ShutdownWatch {
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
    logger.warn({ signal }, next === 'warm' ? 'worker: warm shutdown (waiting for running tasks)' : 'worker: cold shutdown');
    worker.stop({ graceful: next === 'warm' }).then(
      () => settle(kind ?? next),
      (err: unknown) => fail(err),
    );
  };

  const handlers: Record<'SIGTERM' | 'SIGINT' | 'SIGQUIT', () => void> = {
    SIGTERM: () => {
      if (kind === null) stop('warm', 'SIGTERM');
      else logger.info({ signal: 'SIGTERM' }, 'worker: already shutting down');
    },
    SIGINT: () => {
      if (kind === null) stop('warm', 'SIGINT');
      else if (kind === 'warm') stop('cold', 'SIGINT');
      else settle('cold');
    },
    SIGQUIT: () => {
      if (kind !== 'cold') stop('cold', 'SIGQUIT');
      else settle('cold');
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
