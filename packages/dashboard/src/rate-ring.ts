/**
 * Tasks succeeded and failed per second over the last minutes, for the dashboard's rates chart: one slot per
 * second in a fixed ring, so memory stays constant however many events arrive.
 */

/** One second of the ring: epoch second, tasks succeeded, tasks failed in it. */
export type RatePoint = [second: number, succeeded: number, failed: number];

/** Options of {@link RateRing}. */
export interface RateRingOptions {
  /** Seconds kept (default 900: 15 minutes). */
  seconds?: number;
  /** Current time, epoch milliseconds (default `Date.now`). */
  now?: () => number;
}

/** A fixed ring of per-second counters of succeeded and failed tasks. */
export class RateRing {
  readonly #size: number;
  readonly #now: () => number;
  /** Epoch second each slot counts, or -1 when never used. */
  readonly #seconds: Float64Array;
  readonly #succeeded: Uint32Array;
  readonly #failed: Uint32Array;

  /** An empty ring of `seconds` slots. */
  constructor(options: RateRingOptions = {}) {
    const size = options.seconds ?? 900;
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`seconds: expected a positive integer (got ${size})`);
    this.#size = size;
    this.#now = options.now ?? Date.now;
    this.#seconds = new Float64Array(size).fill(-1);
    this.#succeeded = new Uint32Array(size);
    this.#failed = new Uint32Array(size);
  }

  /** Seconds the ring keeps. */
  get seconds(): number {
    return this.#size;
  }

  /** Counts one task event at the current time: `task-succeeded` and `task-failed` count, other types are ignored. */
  record(type: string): void {
    if (type !== 'task-succeeded' && type !== 'task-failed') return;
    const second = Math.floor(this.#now() / 1000);
    const slot = second % this.#size;
    if (this.#seconds[slot] !== second) {
      this.#seconds[slot] = second;
      this.#succeeded[slot] = 0;
      this.#failed[slot] = 0;
    }
    if (type === 'task-succeeded') this.#succeeded[slot] = (this.#succeeded[slot] ?? 0) + 1;
    else this.#failed[slot] = (this.#failed[slot] ?? 0) + 1;
  }

  /**
   * The last `seconds` seconds (at most the ring's size), oldest first, one point per second including the current
   * one, zeros where nothing happened.
   */
  points(seconds = this.#size): RatePoint[] {
    const span = Math.min(Math.max(1, Math.floor(seconds)), this.#size);
    const current = Math.floor(this.#now() / 1000);
    const out: RatePoint[] = [];
    for (let second = current - span + 1; second <= current; second += 1) {
      const slot = second % this.#size;
      const same = this.#seconds[slot] === second;
      out.push([second, same ? (this.#succeeded[slot] ?? 0) : 0, same ? (this.#failed[slot] ?? 0) : 0]);
    }
    return out;
  }
}
