/** What `createBeat` takes ({@link BeatOptions}) and what `Beat` shows of an entry ({@link BeatEntryView}). */
import type { ApplyOptions, BeatEntrySetting, BeatLock, BeatStore, Logger, Schedule } from '@q/core';
import type { ScheduleSource } from './schedule-source.js';

/** The clock a beat reads and sleeps on; tests inject a fake one. */
export interface BeatClock {
  now(): Date;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Options of `createBeat`; each defaults to the app's `beat.*` configuration. */
export interface BeatOptions {
  /** Entries by name, merged over `app.conf.beat.schedule` (Celery's `beat_schedule`). */
  schedule?: Readonly<Record<string, BeatEntrySetting>>;
  /**
   * Entries read at run time, every `reloadInterval` seconds (a database table, a config service): what changed is
   * applied without a restart (see {@link ScheduleSource}); its entries are kept apart from `schedule`'s and
   * `beat.add`'s.
   */
  source?: ScheduleSource;
  /** How often `source` is read, seconds (default 60). */
  reloadInterval?: number;
  /** A store, a URL a plugin registered (`redis://…`), or a file path; default the file `beat.scheduleFilename`. */
  store?: BeatStore | string;
  /** A lock or a URL a plugin registered; default a local lock that always holds (one beat). */
  lock?: BeatLock | string;
  /** Names the state and the lock on a shared server (default `celery`). */
  name?: string;
  /** Longest sleep between ticks, seconds (default `beat.maxLoopInterval`, 300). */
  maxLoopInterval?: number;
  /** Save the last-run times at most this often, seconds (default `beat.syncEvery`, 180); a shared lock saves after each send. */
  syncEvery?: number;
  /** Lease of a shared lock, seconds (default `min(maxLoopInterval / 2, 30)`, so a fail-over takes under `maxLoopInterval`); renewed every
   * third of it. */
  lockTtl?: number;
  /** Injectable clock (tests). */
  clock?: Partial<BeatClock>;
  /** Default: the app's logger. */
  logger?: Logger;
}

/** What `beat.add` takes besides the schedule and the task (Celery's `add_periodic_task` keywords). */
export interface AddEntryOptions {
  args?: readonly unknown[];
  kwargs?: Readonly<Record<string, unknown>>;
  /** Message options (`queue`, `expires`, `priority`, …) as in `sendTask`. */
  options?: ApplyOptions;
  /** Interval schedules given in seconds: run on the interval's boundaries (Celery's `relative`). */
  relative?: boolean;
}

/** A read-only view of an entry. */
export interface BeatEntryView {
  readonly name: string;
  readonly task: string;
  readonly schedule: Schedule;
  readonly args: readonly unknown[];
  readonly kwargs: Readonly<Record<string, unknown>>;
  readonly options: Readonly<ApplyOptions>;
  /** When it last ran, `null` before its first run. */
  readonly lastRunAt: Date | null;
  readonly totalRunCount: number;
  /** When the beat checks it next. */
  readonly nextCheckAt: Date;
}
