/**
 * Schedules read wall-clock time in a zone: one given to the schedule itself wins, else the app's `timezone`
 * (UTC by default), which the scheduler applies with {@link withDefaultTimezone}.
 */
import type { Schedule } from '@q/core';

/** A schedule whose meaning depends on a time zone (crontab; interval with `relative`). */
export interface ZonedSchedule extends Schedule {
  /** The zone given to the schedule itself, or `undefined` when it follows the app's. */
  readonly timezone: string | undefined;
  /** This schedule in `timezone` when it has none of its own (itself otherwise). */
  withDefaultTimezone(timezone: string): Schedule;
}

/** `schedule` evaluated in `timezone` unless it names its own zone; a schedule without zones is returned as is. */
export function withDefaultTimezone(schedule: Schedule, timezone: string): Schedule {
  const zoned = schedule as Partial<ZonedSchedule>;
  return typeof zoned.withDefaultTimezone === 'function' ? zoned.withDefaultTimezone(timezone) : schedule;
}
