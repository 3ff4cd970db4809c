/**
 * Task rate limits (Celery's `rate_limit`): one token bucket per task name, per worker, holding one token (no
 * bursts, as Celery's `TokenBucket(rate, capacity=1)`). A task that finds no token waits, in arrival order
 * behind the others of its name, on the worker's {@link Timer}; tasks of other names are not held up.
 */
import type { Timer, TimerEntry } from './timer.js';

interface Bucket<T> {
  /** Tasks per second. */
  readonly rate: number;
  tokens: number;
  /** When `tokens` was last refilled (epoch ms). */
  at: number;
  readonly waiting: T[];
  entry: TimerEntry | null;
}

/** Admits items (task requests) at their task's rate. */
export class RateLimiter<T> {
  private readonly buckets = new Map<string, Bucket<T>>();

  /**
   * @param timer the worker's timer, which runs items when their token is due
   * @param run called with each admitted item, in order per name
   * @param now the clock (epoch ms)
   */
  constructor(
    private readonly timer: Timer,
    private readonly run: (item: T) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Items waiting for a token. */
  get waiting(): number {
    let n = 0;
    for (const b of this.buckets.values()) n += b.waiting.length;
    return n;
  }

  /** The items waiting for a token, in order per name. */
  items(): T[] {
    const out: T[] = [];
    for (const b of this.buckets.values()) out.push(...b.waiting);
    return out;
  }

  /**
   * The rate of `name` changed (remote control `rate_limit`): with no limit any more (`null`), its waiting items run
   * now; with a new rate, the next one is due by that rate.
   */
  changeRate(name: string, rate: number | null): void {
    const bucket = this.buckets.get(name);
    if (!bucket) return;
    bucket.entry?.cancel();
    bucket.entry = null;
    if (rate === null) {
      this.buckets.delete(name);
      for (const item of bucket.waiting.splice(0)) this.run(item);
      return;
    }
    const next: Bucket<T> = { rate, tokens: Math.min(1, bucket.tokens), at: bucket.at, waiting: bucket.waiting, entry: null };
    this.buckets.set(name, next);
    this.arm(next);
  }

  /** Runs `item` now if `name` has a token (at `rate` tasks per second), else queues it behind the others. */
  admit(name: string, rate: number, item: T): void {
    let bucket = this.buckets.get(name);
    if (!bucket || bucket.rate !== rate) {
      bucket = { rate, tokens: 1, at: this.now(), waiting: bucket?.waiting ?? [], entry: bucket?.entry ?? null };
      this.buckets.set(name, bucket);
    }
    if (bucket.waiting.length === 0 && this.take(bucket)) {
      this.run(item);
      return;
    }
    bucket.waiting.push(item);
    this.arm(bucket);
  }

  /** Removes and returns every waiting item (warm or cold shutdown hands them back to the broker). */
  release(): T[] {
    const out: T[] = [];
    for (const bucket of this.buckets.values()) {
      bucket.entry?.cancel();
      bucket.entry = null;
      out.push(...bucket.waiting.splice(0));
    }
    return out;
  }

  /** Refills `bucket` and takes a token if there is one. */
  private take(bucket: Bucket<T>): boolean {
    const now = this.now();
    bucket.tokens = Math.min(1, bucket.tokens + ((now - bucket.at) / 1000) * bucket.rate);
    bucket.at = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Schedules the next waiting item of `bucket` for when its token is due. */
  private arm(bucket: Bucket<T>): void {
    if (bucket.entry || bucket.waiting.length === 0) return;
    const due = bucket.at + (Math.max(0, 1 - bucket.tokens) / bucket.rate) * 1000;
    bucket.entry = this.timer.schedule(Math.ceil(due), () => {
      bucket.entry = null;
      if (bucket.waiting.length > 0 && this.take(bucket)) this.run(bucket.waiting.shift() as T);
      this.arm(bucket);
    });
  }
}
