/**
 * Celery's `LimitedSet` (`celery.utils.collections`): a set that does not grow without bound, for the worker's
 * revoked task ids. Each item remembers when it was added; the oldest go first.
 *
 * As in Celery, limits are applied when the set is purged, not on lookup: `add` purges once the set holds
 * `maxlen` items (dropping the oldest beyond `maxlen`, then every item older than `expires`, down to `minlen`),
 * and the worker purges at start and whenever it saves its state db. An id older than `expires` may so stay
 * in a set that never fills, as in Celery.
 *
 * Times are seconds since the epoch (wall clock, not Celery's `time.monotonic()`, so a saved set keeps its
 * ages across a reboot); the clock is injectable for tests.
 */

/** Options of a {@link LimitedSet}. */
export interface LimitedSetOptions {
  /** Most items kept (0: no limit). */
  maxlen?: number;
  /** Seconds an item lives once a purge looks at it (0: forever). */
  expires?: number;
  /** Items a time-based purge always leaves (default 0). */
  minlen?: number;
  /** Now, in seconds (default `Date.now() / 1000`). */
  now?: () => number;
}

interface Entry<T> {
  readonly at: number;
  readonly item: T;
}

/** Rebuild the heap once it holds this many percent more entries than the set (discarded items linger in it). */
const MAX_HEAP_OVERLOAD_PERCENT = 15;

const wallClock = (): number => Date.now() / 1000;

/** A set with a size limit and an age limit; see the module comment. */
export class LimitedSet<T = string> {
  readonly maxlen: number;
  readonly expires: number;
  readonly minlen: number;
  readonly #now: () => number;
  readonly #data = new Map<T, Entry<T>>();
  /** Min-heap by insertion time; entries of discarded or re-added items stay until popped (skipped then). */
  #heap: Entry<T>[] = [];

  constructor(options: LimitedSetOptions = {}) {
    this.maxlen = options.maxlen ?? 0;
    this.expires = options.expires ?? 0;
    this.minlen = options.minlen ?? 0;
    this.#now = options.now ?? wallClock;
    if (!(this.minlen >= 0 && (this.maxlen === 0 || this.maxlen >= this.minlen))) {
      throw new RangeError('minlen must be a positive number, less or equal to maxlen.');
    }
    if (this.expires < 0) throw new RangeError('expires cannot be negative!');
  }

  get size(): number {
    return this.#data.size;
  }

  has(item: T): boolean {
    return this.#data.size !== 0 && this.#data.has(item);
  }

  /** Add `item` (added `at` seconds since the epoch, default now), or renew an item already in the set. */
  add(item: T, at: number = this.#now()): void {
    if (this.#data.has(item)) this.discard(item);
    const entry = { at, item };
    this.#data.set(item, entry);
    this.#push(entry);
    if (this.maxlen > 0 && this.#data.size >= this.maxlen) this.purge();
  }

  /** Add each of `items` now (Celery's `update` with an iterable). */
  update(items: Iterable<T>): void {
    for (const item of items) this.add(item);
  }

  /** Add `[item, addedAt]` pairs keeping their times (what {@link asDict} returns, what a state db holds). */
  merge(pairs: Iterable<readonly [T, number]>): void {
    for (const [item, at] of pairs) this.add(item, at);
  }

  /** Remove `item` if present. */
  discard(item: T): void {
    if (!this.#data.delete(item)) return;
    if (this.#heap.length * 100 >= Math.max(this.#data.size, 1) * (100 + MAX_HEAP_OVERLOAD_PERCENT)) this.#refreshHeap();
  }

  /** Drop the oldest items beyond `maxlen`, then those older than `expires` (down to `minlen`). */
  purge(now: number = this.#now()): void {
    if (this.maxlen > 0) while (this.#data.size > this.maxlen) this.pop();
    if (this.expires > 0) {
      while (this.#data.size > this.minlen) {
        const oldest = this.#oldestLive();
        if (oldest === undefined || oldest.at + this.expires > now) break;
        this.pop();
      }
    }
  }

  /** Remove and return the oldest item (`undefined` when empty). */
  pop(): T | undefined {
    const oldest = this.#oldestLive();
    if (oldest === undefined) return undefined;
    this.#popHeap();
    this.#data.delete(oldest.item);
    return oldest.item;
  }

  clear(): void {
    this.#data.clear();
    this.#heap = [];
  }

  /** Items and the time each was added (seconds since the epoch), oldest first. */
  asDict(): [T, number][] {
    return [...this.#data.values()].sort((a, b) => a.at - b.at).map((e) => [e.item, e.at]);
  }

  /** Items, oldest first. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (const [item] of this.asDict()) yield item;
  }

  /** The heap's top after skipping (popping) stale entries. */
  #oldestLive(): Entry<T> | undefined {
    for (;;) {
      const top = this.#heap[0];
      if (top === undefined) return undefined;
      if (this.#data.get(top.item) === top) return top;
      this.#popHeap();
    }
  }

  #refreshHeap(): void {
    this.#heap = [...this.#data.values()].sort((a, b) => a.at - b.at);
  }

  #push(entry: Entry<T>): void {
    const heap = this.#heap;
    let i = heap.push(entry) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent] as Entry<T>;
      if (p.at <= entry.at) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = entry;
  }

  #popHeap(): void {
    const heap = this.#heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    let i = 0;
    const n = heap.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const child = r < n && (heap[r] as Entry<T>).at < (heap[l] as Entry<T>).at ? r : l;
      if ((heap[child] as Entry<T>).at >= last.at) break;
      heap[i] = heap[child] as Entry<T>;
      i = child;
    }
    heap[i] = last;
  }
}
