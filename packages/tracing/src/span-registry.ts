/**
 * The open spans of one plugin instance, by task id, with a bound. A span whose closing hook never comes (a publish
 * that threw, so no `afterPublish`; a task requeued at shutdown, so no `taskPostrun`) would otherwise stay here
 * forever: past `max` entries the oldest is ended (marked `q.span.evicted`) and dropped.
 *
 * One task id may have several open spans: a retry with no countdown is delivered and started again before the hooks
 * of the run that retried it (`taskRetry`, `taskPostrun`) have run. Each span may carry a `tag` object (the hook
 * payload's `headers`, one object per received message) that tells them apart.
 */
import type { Span } from '@opentelemetry/api';

/** The attribute set on a span ended because the registry was full or replaced, not by its closing hook. */
export const EVICTED_ATTRIBUTE = 'q.span.evicted';

interface Entry {
  readonly taskId: string;
  readonly span: Span;
  readonly tag: object | undefined;
}

/** Open spans by task id; the oldest is evicted first. */
export class SpanRegistry {
  /** Every entry, oldest first. */
  readonly #order = new Set<Entry>();
  readonly #byTask = new Map<string, Entry[]>();
  readonly #max: number;

  /** `max`: how many open spans to keep at most (at least 1). */
  constructor(max: number) {
    this.#max = Math.max(1, Math.floor(max));
  }

  /** How many spans are open. */
  get size(): number {
    return this.#order.size;
  }

  /** The open span of `taskId` tagged `tag`, else its newest one, if any. */
  get(taskId: string, tag?: object): Span | undefined {
    return this.#find(taskId, tag)?.span;
  }

  /** The open span of `taskId` tagged `tag` (no other), if any. */
  getTagged(taskId: string, tag: object): Span | undefined {
    return this.#byTask.get(taskId)?.find((e) => e.tag === tag)?.span;
  }

  /**
   * Keep `span` for `taskId`. With `replace`, spans already open for that id are ended first (marked evicted: their
   * closing hook did not come, e.g. a publish that failed and was sent again). Past the bound the oldest span is ended
   * and dropped.
   */
  add(taskId: string, span: Span, options: { tag?: object; replace?: boolean } = {}): void {
    if (options.replace === true) for (const entry of [...(this.#byTask.get(taskId) ?? [])]) this.#evict(entry);
    const entry: Entry = { taskId, span, tag: options.tag };
    this.#order.add(entry);
    const list = this.#byTask.get(taskId);
    if (list === undefined) this.#byTask.set(taskId, [entry]);
    else list.push(entry);
    while (this.#order.size > this.#max) {
      const oldest = this.#order.values().next().value;
      if (oldest === undefined) break;
      this.#evict(oldest);
    }
  }

  /** Remove and return the open span of `taskId` tagged `tag`, else its newest one (the caller ends it). */
  take(taskId: string, tag?: object): Span | undefined {
    const entry = this.#find(taskId, tag);
    if (entry === undefined) return undefined;
    this.#remove(entry);
    return entry.span;
  }

  /** End every open span (marked evicted) and forget them. */
  endAll(): void {
    for (const entry of [...this.#order]) this.#evict(entry);
  }

  #find(taskId: string, tag: object | undefined): Entry | undefined {
    const list = this.#byTask.get(taskId);
    if (list === undefined) return undefined;
    return (tag !== undefined ? list.find((e) => e.tag === tag) : undefined) ?? list[list.length - 1];
  }

  #remove(entry: Entry): void {
    this.#order.delete(entry);
    const list = this.#byTask.get(entry.taskId);
    if (list === undefined) return;
    const rest = list.filter((e) => e !== entry);
    if (rest.length === 0) this.#byTask.delete(entry.taskId);
    else this.#byTask.set(entry.taskId, rest);
  }

  #evict(entry: Entry): void {
    this.#remove(entry);
    entry.span.setAttribute(EVICTED_ATTRIBUTE, true);
    entry.span.end();
  }
}
