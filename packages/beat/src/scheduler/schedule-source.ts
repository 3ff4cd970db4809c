/**
 * A schedule read from elsewhere at run time (a database table, a config service: what django-celery-beat's
 * `DatabaseScheduler` gives Celery): the beat calls the source every `reloadInterval` and applies what changed —
 * new and changed entries are added (a changed one keeps its last-run time), entries the source no longer lists are
 * removed. Entries from the config or `beat.add` are not the source's and stay.
 */
import type { BeatEntrySetting } from '@q/core';

/** Entries by name, as `beat.schedule` takes them; may be read asynchronously. */
export type ScheduleSource = () =>
  | Readonly<Record<string, BeatEntrySetting>>
  | Promise<Readonly<Record<string, BeatEntrySetting>>>;

/** What one read changed. */
export interface ScheduleChanges {
  readonly upsert: readonly (readonly [string, BeatEntrySetting])[];
  readonly remove: readonly string[];
}

/** Reads a {@link ScheduleSource} when due and tells what changed since the last read. */
export class ScheduleSourceReader {
  readonly #source: ScheduleSource;
  readonly #intervalMs: number;
  /** The last read entries' forms (their JSON: a `Schedule` serializes through `toJSON`), by name. */
  #known = new Map<string, string>();
  #readAt = -Infinity;

  constructor(source: ScheduleSource, intervalMs: number) {
    this.#source = source;
    this.#intervalMs = intervalMs;
  }

  /** Milliseconds until the next read is due (0 when due). */
  msUntilDue(nowMs: number): number {
    return Math.max(0, this.#readAt + this.#intervalMs - nowMs);
  }

  /**
   * Reads the source and returns what changed. The read time is taken first, so a failing source is asked again
   * after `reloadInterval`, not at every tick.
   * @throws what the source throws; a value that is not an object of entries is a TypeError
   */
  async read(nowMs: number): Promise<ScheduleChanges> {
    this.#readAt = nowMs;
    const entries = await this.#source();
    if (entries === null || typeof entries !== 'object' || Array.isArray(entries)) {
      throw new TypeError(`beat schedule source: expected an object of entries by name, got ${Array.isArray(entries) ? 'an array' : typeof entries}`);
    }
    const next = new Map<string, string>();
    const upsert: [string, BeatEntrySetting][] = [];
    for (const [name, setting] of Object.entries(entries)) {
      const form = JSON.stringify(setting) ?? '';
      next.set(name, form);
      if (this.#known.get(name) !== form) upsert.push([name, setting]);
    }
    const remove = [...this.#known.keys()].filter((name) => !next.has(name));
    this.#known = next;
    return { upsert, remove };
  }
}
