/** The lock of a beat that runs alone: always held, nothing shared. */
import type { BeatLock } from '@q/core';

/** A {@link BeatLock} that a beat running alone always holds; `alwaysHeld` lets the scheduler skip lease renewals. */
export interface LocalLock extends BeatLock {
  readonly alwaysHeld: true;
}

/** The default lock: always held (one beat; run a shared lock, such as Redis's, for several). */
export function localLock(): LocalLock {
  return {
    alwaysHeld: true,
    acquire: () => Promise.resolve(true),
    release: () => Promise.resolve(),
    close: () => Promise.resolve(),
    describe: () => 'local (one beat)',
  };
}

/** Whether `lock` is always held (a {@link localLock}). */
export function isAlwaysHeld(lock: BeatLock): boolean {
  return (lock as Partial<LocalLock>).alwaysHeld === true;
}
