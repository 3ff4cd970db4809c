/** Test fixtures of the scheduler: a fake clock, an app whose sends are recorded, a memory store and a fake lock. */
import { createApp, type App, type AppOptions, type BeatLock, type BeatState, type BeatStore } from '@q/core';
import { recordingLogger, type RecordingLogger } from '@q/test-services';
import { vi } from 'vitest';
import type { BeatClock } from '../src/scheduler/beat-options.js';

/** A clock that moves only when told; timers fire in order as it passes them. */
export interface FakeClock extends BeatClock {
  /** Sets the time (no timer fires). */
  set(at: Date | string): void;
  /** Moves forward `ms`, firing (and awaiting) each timer due on the way. */
  advance(ms: number): Promise<void>;
  /** Pending timers. */
  readonly pending: number;
}

export function fakeClock(start: string): FakeClock {
  let now = new Date(start).getTime();
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
  };
  return {
    now: () => new Date(now),
    setTimeout(fn, ms) {
      const id = ++seq;
      timers.set(id, { at: now + Math.max(0, ms), fn });
      return id;
    },
    clearTimeout: (id) => void timers.delete(id as number),
    set: (at) => void (now = new Date(at).getTime()),
    async advance(ms) {
      const end = now + ms;
      for (;;) {
        await settle();
        const next = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!next) break;
        timers.delete(next[0]);
        now = Math.max(now, next[1].at);
        next[1].fn();
      }
      now = end;
      await settle();
    },
    get pending() {
      return timers.size;
    },
  };
}

/** One recorded send. */
export interface Sent {
  at: string;
  task: string;
  args: readonly unknown[];
  kwargs: Record<string, unknown>;
  options: Record<string, unknown>;
}

/** An app on the memory broker whose `sendTask` records instead of sending (or fails while `failing`). */
export function recordingApp(clock: BeatClock, options: AppOptions = {}): { app: App; sent: Sent[]; log: RecordingLogger; fail(on: boolean): void } {
  const log = recordingLogger();
  const app = createApp({ broker: 'memory://beat-test', backend: null, logger: log, ...options });
  const sent: Sent[] = [];
  let failing = false;
  vi.spyOn(app, 'sendTask').mockImplementation((task, args = [], kwargs = {}, opts = {}) => {
    if (failing) return Promise.reject(new Error('broker down'));
    sent.push({ at: clock.now().toISOString(), task, args, kwargs, options: opts as Record<string, unknown> });
    return Promise.resolve(null as never);
  });
  return { app, sent, log, fail: (on) => void (failing = on) };
}

/** A store in memory, shared by the beats given the same one. */
export function memoryStore(initial: BeatState | null = null): BeatStore & { state: BeatState | null; saves: number } {
  const store = {
    state: initial,
    saves: 0,
    load: () => Promise.resolve(store.state),
    save: (s: BeatState) => {
      store.state = JSON.parse(JSON.stringify(s)) as BeatState;
      store.saves += 1;
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
    describe: () => 'memory',
  };
  return store;
}

/** A lease shared by the locks {@link sharedLease} hands out; `held` names the holder. */
export function sharedLease(clock: BeatClock): { lock(id: string): BeatLock; holder(): string | null; expire(): void } {
  let holder: string | null = null;
  let until = 0;
  return {
    lock: (id) => ({
      acquire: (ttl) => {
        const now = clock.now().getTime();
        if (holder === null || holder === id || now >= until) {
          holder = id;
          until = now + ttl;
        }
        return Promise.resolve(holder === id);
      },
      release: () => {
        if (holder === id) holder = null;
        return Promise.resolve();
      },
      close: () => Promise.resolve(),
      describe: () => `fake ${id}`,
    }),
    holder: () => (holder !== null && clock.now().getTime() < until ? holder : null),
    expire: () => void (until = 0),
  };
}
