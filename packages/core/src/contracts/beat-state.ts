/**
 * Where a beat keeps its entries' last-run times (Celery's `PersistentScheduler` shelve file), and the lock that lets
 * several beat processes run with exactly one sending (Celery has none). `@q/beat` has a file store and a local lock;
 * result-backend packages add Redis and PostgreSQL ones through `api.beatStore()` / `api.beatLock()`.
 */
import type { Logger } from './logger.js';

/** The state of one entry. */
export interface BeatEntryState {
  /** When it last ran (ISO-8601 with offset), `null` before its first run. */
  readonly lastRunAt: string | null;
  /** How many times it ran (Celery's `total_run_count`). */
  readonly totalRunCount: number;
}

/** What a beat stores. */
export interface BeatState {
  /** The time zone the entries were computed in: a change resets the last-run times, as Celery does. */
  readonly timezone: string;
  /** By entry name. */
  readonly entries: Readonly<Record<string, BeatEntryState>>;
}

/** Stores a beat's state. */
export interface BeatStore {
  /** The stored state, or `null` when nothing is stored yet. */
  load(): Promise<BeatState | null>;
  /** Replaces the stored state. */
  save(state: BeatState): Promise<void>;
  /** Releases connections; the stored state stays. */
  close(): Promise<void>;
  /** For logs and the banner, with no secret (`file ./q-beat-schedule.json`, `redis://host:6379/0 key q:beat`). */
  describe(): string;
}

/**
 * A lease that at most one beat holds at a time. The holder renews it every tick; when it dies, the lease runs out
 * (or the server drops it with the connection) and another beat takes it over.
 */
export interface BeatLock {
  /**
   * Takes the lease for `ttlMs`, or renews it when this lock holds it. `true` when this lock holds it afterwards.
   * Never throws for a lease held by another: that is `false`; a connection error rejects.
   */
  acquire(ttlMs: number): Promise<boolean>;
  /** Gives the lease up when held (a clean shutdown hands over at once). */
  release(): Promise<void>;
  /** Releases connections (after `release`). */
  close(): Promise<void>;
  describe(): string;
}

/** What a beat store or lock factory receives. */
export interface BeatStateContext {
  /** The URL as configured (`redis://…`, `postgresql://…`). */
  readonly url: string;
  readonly parsed: URL;
  /** Names the schedule this state belongs to (default `celery` / the app's name), so several beats can share a server. */
  readonly name: string;
  readonly logger: Logger;
}

/** Creates a beat store from a URL (`api.beatStore(['redis'], factory)`). */
export type BeatStoreFactory = (ctx: BeatStateContext) => BeatStore;
/** Creates a beat lock from a URL (`api.beatLock(['redis'], factory)`). */
export type BeatLockFactory = (ctx: BeatStateContext) => BeatLock;
