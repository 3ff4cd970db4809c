/**
 * `crontab()`: Celery's `crontab` schedule. Every field must match (day of month AND day of week, unlike Vixie
 * cron's OR); seconds are always 0; fields are read in the schedule's zone, else the app's `timezone` (UTC).
 * DST: a wall time that does not exist (a gap) fires at the first instant after the gap; one that happens twice
 * (a fold) fires once, at its first occurrence.
 */
import { ConfigError } from '@q/core';
import type { DueCheck, Schedule, ScheduleJson } from '@q/core';
import { ZoneClock } from '../zone-clock.js';
import type { ZonedSchedule } from '../zoned-schedule.js';
import { crontabFieldText, parseCrontabField } from './crontab-field.js';
import type { CrontabField, CrontabFieldName } from './crontab-field.js';
import { CrontabMatcher } from './next-match.js';
import type { CrontabValues } from './next-match.js';

/** The fields of a crontab; each defaults to `*`. */
export interface CrontabFields {
  readonly minute?: CrontabField;
  readonly hour?: CrontabField;
  readonly dayOfWeek?: CrontabField;
  readonly dayOfMonth?: CrontabField;
  readonly monthOfYear?: CrontabField;
}

/** Options of {@link crontab}. */
export interface CrontabOptions {
  /** IANA zone the fields are read in; default the app's `timezone` (UTC when the schedule is used alone). */
  readonly timezone?: string;
}

const MINUTE_MS = 60_000;
const FIELD_ORDER: readonly CrontabFieldName[] = ['minute', 'hour', 'dayOfWeek', 'dayOfMonth', 'monthOfYear'];
/** The five-field string's order (Vixie cron's): minute hour day-of-month month day-of-week. */
const STRING_ORDER: readonly CrontabFieldName[] = ['minute', 'hour', 'dayOfMonth', 'monthOfYear', 'dayOfWeek'];

/** Days in each month at most (February 29 counts): a day-of-month/month pair beyond never matches. */
const MAX_DAYS = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A crontab schedule; build it with {@link crontab}. */
export class CrontabSchedule implements ZonedSchedule {
  readonly kind = 'crontab';
  /** The fields as given (Celery's `_orig_*`), `*` when omitted. */
  readonly fields: Readonly<Record<CrontabFieldName, string>>;
  /** The allowed values of each field, sorted (Sunday is 0). */
  readonly values: CrontabValues;
  readonly timezone: string | undefined;
  readonly #matcher: CrontabMatcher;
  readonly #clock: ZoneClock;

  /** @internal use {@link crontab} */
  constructor(fields: CrontabFields, timezone: string | undefined, zoneDefault = 'UTC') {
    const text = {} as Record<CrontabFieldName, string>;
    const values = {} as Record<CrontabFieldName, number[]>;
    for (const name of FIELD_ORDER) {
      const spec = fields[name] ?? '*';
      text[name] = crontabFieldText(spec);
      values[name] = parseCrontabField(name, spec);
    }
    if (!values.monthOfYear.some((m) => values.dayOfMonth.some((d) => d <= (MAX_DAYS[m] ?? 0)))) {
      throw new ConfigError('Q_ERR_CONFIG_INVALID', `crontab dayOfMonth: "${text.dayOfMonth}" never happens in monthOfYear "${text.monthOfYear}"`);
    }
    this.fields = Object.freeze(text);
    this.values = Object.freeze(values);
    this.timezone = timezone;
    this.#clock = ZoneClock.of(timezone ?? zoneDefault);
    this.#matcher = new CrontabMatcher(values);
  }

  /** The zone the fields are read in. */
  get zone(): string {
    return this.#clock.name;
  }

  nextAfter(date: Date): Date {
    const after = date.getTime();
    let wall = Math.floor(this.#clock.wallOf(after) / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
    for (;;) {
      const next = this.#matcher.nextWall(wall);
      if (next === undefined) {
        throw new ConfigError('Q_ERR_CONFIG_INVALID', `${this.describe()} never fires after ${date.toISOString()}`);
      }
      const instant = this.#clock.instantOf(next);
      if (instant > after) return new Date(instant);
      wall = next + MINUTE_MS; // a fold's second occurrence (or a gap already passed): not again
    }
  }

  /** Celery's `crontab.is_due`: due when the first firing after `lastRunAt` is not after `now`. */
  isDue(lastRunAt: Date, now: Date): DueCheck {
    const next = this.nextAfter(lastRunAt).getTime();
    if (next > now.getTime()) return { due: false, nextInMs: next - now.getTime() };
    return { due: true, nextInMs: this.nextAfter(now).getTime() - now.getTime() };
  }

  withDefaultTimezone(timezone: string): Schedule {
    if (this.timezone !== undefined || timezone === this.zone) return this;
    return new CrontabSchedule(this.fields, undefined, timezone);
  }

  toJSON(): ScheduleJson {
    return { kind: 'crontab', ...this.fields, ...(this.timezone === undefined ? {} : { timezone: this.timezone }) };
  }

  /** Celery's repr: `<crontab: 0 4 * * * (m/h/d/dM/MY)>` (minute hour day-of-week day-of-month month). */
  describe(): string {
    const f = this.fields;
    const zone = this.timezone === undefined ? '' : ` ${this.timezone}`;
    return `<crontab: ${f.minute} ${f.hour} ${f.dayOfWeek} ${f.dayOfMonth} ${f.monthOfYear} (m/h/d/dM/MY)${zone}>`;
  }
}

function fieldsOfString(expression: string): CrontabFields {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5) {
    throw new ConfigError(
      'Q_ERR_CONFIG_INVALID',
      `crontab: "${expression}" has ${parts.length} fields; a crontab string has five (minute hour dayOfMonth monthOfYear dayOfWeek)`,
    );
  }
  const fields: Partial<Record<CrontabFieldName, string>> = {};
  STRING_ORDER.forEach((name, i) => (fields[name] = parts[i] ?? '*'));
  return fields;
}

/**
 * A crontab schedule (Celery's `crontab(minute, hour, day_of_week, day_of_month, month_of_year)`).
 *
 * ```ts
 * crontab({ minute: 0, hour: 4 });                                  // 04:00 every day
 * crontab({ minute: '0,30', hour: '9-17', dayOfWeek: 'mon-fri' });   // every half hour in office hours
 * crontab('0 4 1 * mon', { timezone: 'Europe/London' });            // 04:00 on a 1st that is a Monday
 * ```
 * The string form is a convenience Celery does not have: five fields in Vixie cron's order (minute hour
 * dayOfMonth monthOfYear dayOfWeek), with the same AND semantics.
 * @throws ConfigError naming the field and the token when a field does not parse, or when the zone is unknown
 */
export function crontab(fields: CrontabFields | string = {}, options: CrontabOptions = {}): CrontabSchedule {
  return new CrontabSchedule(typeof fields === 'string' ? fieldsOfString(fields) : fields, options.timezone);
}

/**
 * Reads a crontab's stored form back (`{ kind: 'crontab', minute, hour, dayOfWeek, dayOfMonth, monthOfYear, timezone? }`).
 * @throws ConfigError when a field is not a crontab field
 */
export function crontabFromJSON(json: ScheduleJson): CrontabSchedule {
  const fields: Partial<Record<CrontabFieldName, CrontabField>> = {};
  for (const name of FIELD_ORDER) {
    const v = json[name];
    if (v === undefined) continue;
    if (typeof v !== 'string' && typeof v !== 'number' && !(Array.isArray(v) && v.every((x) => typeof x === 'number'))) {
      throw new ConfigError('Q_ERR_CONFIG_INVALID', `crontab ${name}: expected a string, a number or an array of numbers`);
    }
    fields[name] = v as CrontabField;
  }
  const tz = json['timezone'];
  if (tz !== undefined && typeof tz !== 'string') throw new ConfigError('Q_ERR_CONFIG_INVALID', 'crontab timezone: expected a string');
  return crontab(fields, tz === undefined ? {} : { timezone: tz });
}
