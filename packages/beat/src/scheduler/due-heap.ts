/**
 * A binary min-heap of (instant, entry name) pairs: the scheduler's one timer sleeps until the top, and a tick pops
 * only what is due, so 10,000 idle entries cost nothing between firings. Rescheduling pushes a new pair; the old one
 * goes stale (its version no longer matches) and is dropped when popped, so no search is ever needed.
 */

/** One scheduled check. */
export interface DueItem {
  /** Epoch milliseconds. */
  readonly at: number;
  readonly name: string;
  /** The entry's version when pushed: a newer push makes this one stale. */
  readonly version: number;
}

/** A min-heap of {@link DueItem}s ordered by `at`. */
export class DueHeap {
  readonly #items: DueItem[] = [];

  get size(): number {
    return this.#items.length;
  }

  /** The earliest item, stale or not. */
  peek(): DueItem | undefined {
    return this.#items[0];
  }

  push(item: DueItem): void {
    const items = this.#items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((items[parent] as DueItem).at <= item.at) break;
      items[i] = items[parent] as DueItem;
      i = parent;
    }
    items[i] = item;
  }

  pop(): DueItem | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child = right < items.length && (items[right] as DueItem).at < (items[left] as DueItem).at ? right : left;
      if ((items[child] as DueItem).at >= last.at) break;
      items[i] = items[child] as DueItem;
      i = child;
    }
    items[i] = last;
    return top;
  }

  /** Keeps only the items `keep` accepts (drops stale ones when they pile up), then restores the order. */
  compact(keep: (item: DueItem) => boolean): void {
    const kept = this.#items.filter(keep);
    this.#items.length = 0;
    for (const item of kept) this.push(item);
  }
}
