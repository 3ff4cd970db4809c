/**
 * One timer for every ETA task a worker holds (Celery's `kombu.asynchronous.timer`): entries sorted by
 * due time, a single `setTimeout` armed for the earliest. Holding a task never blocks other work.
 */

/** A scheduled entry; `cancel()` removes it if it has not fired. */
export interface TimerEntry {
  readonly at: number;
  cancel(): boolean;
}

/** Longest delay `setTimeout` accepts; longer waits re-arm. */
const MAX_DELAY_MS = 2_147_483_647;

interface Slot {
  at: number;
  seq: number;
  fn: () => void;
  live: boolean;
}

/** Calls functions at given times (epoch ms) with one underlying timeout. */
export class Timer {
  private readonly entries: Slot[] = [];
  private handle: ReturnType<typeof setTimeout> | null = null;
  private armedFor = Infinity;
  private seq = 0;
  private readonly now: () => number;

  /** @param now the clock (epoch ms), injectable for tests. */
  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  /** Entries not yet fired or cancelled. */
  get size(): number {
    return this.entries.length;
  }

  /** Call `fn` at `at` (epoch ms); a time in the past fires on the next turn. Entries due together fire in insertion order. */
  schedule(at: number, fn: () => void): TimerEntry {
    const slot: Slot = { at, seq: this.seq++, fn, live: true };
    let i = this.entries.length;
    while (i > 0 && (this.entries[i - 1] as Slot).at > at) i -= 1;
    this.entries.splice(i, 0, slot);
    this.arm();
    return {
      at,
      cancel: () => {
        if (!slot.live) return false;
        slot.live = false;
        const idx = this.entries.indexOf(slot);
        if (idx !== -1) this.entries.splice(idx, 1);
        this.arm();
        return true;
      },
    };
  }

  /** Cancel every entry and the underlying timeout. */
  clear(): void {
    for (const slot of this.entries) slot.live = false;
    this.entries.length = 0;
    this.disarm();
  }

  private disarm(): void {
    if (this.handle !== null) clearTimeout(this.handle);
    this.handle = null;
    this.armedFor = Infinity;
  }

  private arm(): void {
    const first = this.entries[0];
    if (!first) {
      this.disarm();
      return;
    }
    if (this.handle !== null && this.armedFor === first.at) return;
    this.disarm();
    const delay = Math.min(Math.max(0, first.at - this.now()), MAX_DELAY_MS);
    this.armedFor = first.at;
    this.handle = setTimeout(() => this.fire(), delay);
  }

  private fire(): void {
    this.handle = null;
    this.armedFor = Infinity;
    const now = this.now();
    while (this.entries.length > 0 && (this.entries[0] as Slot).at <= now) {
      const slot = this.entries.shift() as Slot;
      slot.live = false;
      slot.fn();
    }
    this.arm();
  }
}
