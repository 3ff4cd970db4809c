/**
 * How the long-running commands other than `q worker` (`q events`, `q dashboard`) wait for SIGINT or SIGTERM. Install
 * it before printing that the command is ready: whoever reads that line may send the signal at once.
 */
import type { SignalSource } from './shutdown.js';

/** The signals that stop `q events` and `q dashboard`. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** Resolves with the first of SIGINT/SIGTERM (or when `abort` fires), removing its listeners. */
export function stopSignal(source: SignalSource, abort?: AbortSignal): Promise<NodeJS.Signals | null> {
  return new Promise((resolve) => {
    const listeners = STOP_SIGNALS.map((signal) => [signal, () => done(signal)] as const);
    const done = (signal: NodeJS.Signals | null): void => {
      for (const [name, listener] of listeners) source.off(name, listener);
      abort?.removeEventListener('abort', onAbort);
      resolve(signal);
    };
    const onAbort = (): void => done(null);
    for (const [name, listener] of listeners) source.on(name, listener);
    abort?.addEventListener('abort', onAbort, { once: true });
  });
}
