/**
 * Periodic schedules (Celery's `schedule`, `crontab`, `solar`): pure, the clock passed in, no timers inside, so
 * they are exact and testable. `@q/beat` provides the built-in kinds; a plugin adds its own with `api.schedule()`.
 */

/** A schedule as stored or configured: its `kind` and the fields that kind reads back (`{ kind: 'crontab', … }`). */
export interface ScheduleJson {
  readonly kind: string;
  readonly [field: string]: unknown;
}

/** What {@link Schedule.isDue} answers (Celery's `is_due` → `(is_due, next_time_to_check)`). */
export interface DueCheck {
  /** Whether the entry should run now. */
  readonly due: boolean;
  /** Milliseconds until the entry should be checked again (after this run when `due`). */
  readonly nextInMs: number;
}

/** A periodic schedule (interval, crontab, solar, or a plugin's). */
export interface Schedule {
  /** The kind, as in {@link ScheduleJson.kind} (`every`, `crontab`, `solar`, or a plugin's). */
  readonly kind: string;
  /** The first firing instant strictly after `date`. */
  nextAfter(date: Date): Date;
  /** Whether an entry last run at `lastRunAt` is due at `now`, and when to check again. */
  isDue(lastRunAt: Date, now: Date): DueCheck;
  /** The stored form; `@q/beat`'s `scheduleFromJSON` (or the kind's registered reviver) reads it back. */
  toJSON(): ScheduleJson;
  /** Human-readable form for logs (`<crontab: 0 4 * * * (m/h/dM/MY/d)>`). */
  describe(): string;
}

/** A schedule kind a plugin adds (`api.schedule(...)`): how its stored form becomes a {@link Schedule} again. */
export interface ScheduleRegistration {
  /** The {@link ScheduleJson.kind} it reads. */
  readonly kind: string;
  /**
   * Builds the schedule from its stored or configured form.
   * @throws ConfigError when `json` is not a valid form of this kind
   */
  fromJSON(json: ScheduleJson): Schedule;
}
