/**
 * `every()`: Celery's interval schedule (`schedule(run_every)`, a number of seconds or a `timedelta`).
 */
import { ConfigError } from '@q/core';
import type { DueCheck, Schedule, ScheduleJson } from '@q/core';
import { ZoneClock } from './zone-clock.js';
import type { ZonedSchedule } from './zoned-schedule.js';

/** An interval as parts (Celery's `timedelta(days=…, hours=…)`); they add up. */
export interface EveryParts {
  readonly days?: number;
  readonly hours?: number;
  readonly minutes?: number;
  readonly seconds?: number;
  readonly milliseconds?: number;
}

/** Options of {@link every}. */
export interface EveryOptions {
  /**
   * Celery's `relative`: round each next run time down to the interval's resolution (days, hours or minutes;
   * seconds drop their milliseconds), so `every({ hours: 1 }, { relative: true })` runs on the hour.
   */
  readonly relative?: boolean;
  /** Zone whose midnight the day resolution rounds to; default the app's `timezone` (UTC alone). */
  readonly timezone?: string;
}

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const PART_MS: Readonly<Record<keyof EveryParts, number>> = {
  days: DAY_MS,
  hours: HOUR_MS,
  minutes: MINUTE_MS,
  seconds: SECOND_MS,
  milliseconds: 1,
};

/** Celery's `humanize_seconds`: `30.00 seconds`, `1.00 minute`, `2.50 hours`. */
function humanize(ms: number): string {
  const secs = ms / 1000;
  for (const [unit, size] of [['day', 86400], ['hour', 3600], ['minute', 60], ['second', 1]] as const) {
    if (secs >= size) {
      const n = secs / size;
      return `${n.toFixed(2)} ${n === 1 ? unit : `${unit}s`}`;
    }
  }
  return 'now';
}

/** An interval schedule; build it with {@link every}. */
export class EverySchedule implements ZonedSchedule {
  readonly kind = 'every';
  /** The interval in milliseconds. */
  readonly runEveryMs: number;
  /** Whether run times round down to the interval's resolution. */
  readonly relative: boolean;
  readonly timezone: string | undefined;
  readonly #clock: ZoneClock;

  /** @internal use {@link every} */
  constructor(runEveryMs: number, relative: boolean, timezone: string | undefined, zoneDefault = 'UTC') {
    this.runEveryMs = runEveryMs;
    this.relative = relative;
    this.timezone = timezone;
    this.#clock = ZoneClock.of(timezone ?? zoneDefault);
  }

  /**
   * `lastRunAt + interval` (Celery's `remaining`), rounded down to the interval's resolution when `relative`
   * (kept unrounded if rounding would not land after `date`).
   */
  nextAfter(date: Date): Date {
    const end = date.getTime() + this.runEveryMs;
    if (!this.relative) return new Date(end);
    const rounded = this.#roundDown(end);
    return new Date(rounded > date.getTime() ? rounded : end);
  }

  /** Celery's `schedule.is_due`: due when `lastRunAt + interval` is not after `now`; then check again in one interval. */
  isDue(lastRunAt: Date, now: Date): DueCheck {
    const remaining = this.nextAfter(lastRunAt).getTime() - now.getTime();
    return remaining <= 0 ? { due: true, nextInMs: this.runEveryMs } : { due: false, nextInMs: remaining };
  }

  withDefaultTimezone(timezone: string): Schedule {
    if (!this.relative || this.timezone !== undefined || timezone === this.#clock.name) return this;
    return new EverySchedule(this.runEveryMs, this.relative, undefined, timezone);
  }

  /** `{ kind: 'every', seconds, relative?, timezone? }`. */
  toJSON(): ScheduleJson {
    return {
      kind: 'every',
      seconds: this.runEveryMs / 1000,
      ...(this.relative ? { relative: true } : {}),
      ...(this.timezone === undefined ? {} : { timezone: this.timezone }),
    };
  }

  /** Celery's repr: `<freq: 30.00 seconds>`. */
  describe(): string {
    return `<freq: ${humanize(this.runEveryMs)}${this.relative ? ', relative' : ''}>`;
  }

  /** Celery's `delta_resolution`: floor to the day, hour or minute (in the zone) the interval is counted in. */
  #roundDown(instant: number): number {
    const unit = this.runEveryMs >= DAY_MS ? DAY_MS : this.runEveryMs >= HOUR_MS ? HOUR_MS : this.runEveryMs >= MINUTE_MS ? MINUTE_MS : SECOND_MS;
    const wall = this.#clock.wallOf(instant);
    return this.#clock.instantOf(wall - (((wall % unit) + unit) % unit));
  }
}

function intervalMs(interval: number | EveryParts): number {
  if (typeof interval === 'number') return interval * SECOND_MS;
  let ms = 0;
  for (const [part, value] of Object.entries(interval) as [keyof EveryParts, unknown][]) {
    const size = PART_MS[part] as number | undefined;
    if (size === undefined) throw new ConfigError('Q_ERR_CONFIG_INVALID', `every: unknown part "${part}" (days, hours, minutes, seconds, milliseconds)`);
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new ConfigError('Q_ERR_CONFIG_INVALID', `every ${part}: expected a number`);
    ms += value * size;
  }
  return ms;
}

/**
 * An interval schedule (Celery's `schedule(run_every)`, a number of seconds or a `timedelta`).
 *
 * ```ts
 * every(30);                                      // every 30 s after the last run
 * every({ hours: 1 }, { relative: true });        // on the hour
 * ```
 * @throws ConfigError when the interval is not a positive finite duration
 */
export function every(interval: number | EveryParts, options: EveryOptions = {}): EverySchedule {
  const ms = Math.round(intervalMs(interval));
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new ConfigError('Q_ERR_CONFIG_INVALID', `every: the interval must be a positive duration (got ${JSON.stringify(interval)})`);
  }
  return new EverySchedule(ms, options.relative ?? false, options.timezone);
}

/**
 * Reads an interval's stored form back (`{ kind: 'every', seconds, relative?, timezone? }`).
 * @throws ConfigError when `seconds` is not a positive number
 */
export function everyFromJSON(json: ScheduleJson): EverySchedule {
  const { seconds, relative, timezone } = json;
  if (typeof seconds !== 'number') throw new ConfigError('Q_ERR_CONFIG_INVALID', 'every seconds: expected a number');
  if (relative !== undefined && typeof relative !== 'boolean') throw new ConfigError('Q_ERR_CONFIG_INVALID', 'every relative: expected a boolean');
  if (timezone !== undefined && typeof timezone !== 'string') throw new ConfigError('Q_ERR_CONFIG_INVALID', 'every timezone: expected a string');
  return every(seconds, { ...(relative === undefined ? {} : { relative }), ...(timezone === undefined ? {} : { timezone }) });
}
