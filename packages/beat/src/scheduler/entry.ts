/** An entry as the scheduler keeps it. */
import type { ApplyOptions, Schedule } from '@q/core';
import type { EntryTarget } from './entry-input.js';

/** One periodic task: what it sends, its schedule, its last run, and when the scheduler checks it next. */
export interface Entry {
  readonly name: string;
  readonly target: EntryTarget;
  readonly schedule: Schedule;
  readonly args: readonly unknown[];
  readonly kwargs: Readonly<Record<string, unknown>>;
  readonly options: ApplyOptions;
  lastRunAt: Date | null;
  totalRunCount: number;
  /** What a never-run entry counts from (Celery's `default_now()` at load): when it was added, or the zone reset. */
  since: Date;
  /** Epoch ms of its next check. */
  nextAt: number;
  /** Bumped at each reschedule: older heap items are stale. */
  version: number;
}
