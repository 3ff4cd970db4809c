/**
 * The crontab search, field by field on wall-clock fields (no time zone here): the first wall minute at or after a
 * given one whose month, day of month, day of week, hour and minute all match. It jumps to the next allowed month,
 * then day, then hour, then minute, so one search costs a few table lookups (never a minute-by-minute scan).
 */

/** The allowed values of each field, as sorted arrays (from `parseCrontabField`). */
export interface CrontabValues {
  readonly minute: readonly number[];
  readonly hour: readonly number[];
  readonly dayOfWeek: readonly number[];
  readonly dayOfMonth: readonly number[];
  readonly monthOfYear: readonly number[];
}

const DAY_MS = 86_400_000;
/** Years searched before giving up (every day-of-week and date combination recurs within 28 years). */
const MAX_YEARS = 400;

/** `next[v]`: the smallest allowed value ≥ v, or -1 (indices 0..size). */
function nextTable(values: readonly number[], size: number): Int8Array {
  const table = new Int8Array(size + 1).fill(-1);
  let next = -1;
  for (let v = size - 1; v >= 0; v--) {
    if (values.includes(v)) next = v;
    table[v] = next;
  }
  return table;
}

function maskOf(values: readonly number[], size: number): Uint8Array {
  const mask = new Uint8Array(size);
  for (const v of values) mask[v] = 1;
  return mask;
}

function daysInMonth(year: number, month: number): number {
  return month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : 30 + ((month + (month >> 3)) & 1);
}

/** Compiled fields: the search tables of one crontab. */
export class CrontabMatcher {
  readonly #minute: Int8Array;
  readonly #hour: Int8Array;
  readonly #month: Int8Array;
  readonly #dom: Uint8Array;
  readonly #domNext: Int8Array;
  readonly #dow: Uint8Array;
  readonly #firstMinute: number;
  readonly #firstHour: number;

  constructor(values: CrontabValues) {
    this.#minute = nextTable(values.minute, 60);
    this.#hour = nextTable(values.hour, 24);
    this.#month = nextTable(values.monthOfYear, 13);
    this.#dom = maskOf(values.dayOfMonth, 32);
    this.#domNext = nextTable(values.dayOfMonth, 32);
    this.#dow = maskOf(values.dayOfWeek, 7);
    this.#firstMinute = values.minute[0] ?? 0;
    this.#firstHour = values.hour[0] ?? 0;
  }

  /** Whether a wall timestamp (a whole minute) matches every field. */
  matches(wall: number): boolean {
    const d = new Date(wall);
    return (
      this.#minute[d.getUTCMinutes()] === d.getUTCMinutes() &&
      this.#hour[d.getUTCHours()] === d.getUTCHours() &&
      this.#month[d.getUTCMonth() + 1] === d.getUTCMonth() + 1 &&
      this.#dom[d.getUTCDate()] === 1 &&
      this.#dow[d.getUTCDay()] === 1
    );
  }

  /**
   * The first matching wall minute at or after `wall` (a wall timestamp, whole minute).
   * @returns a wall timestamp, or `undefined` when nothing matches within 400 years (`30 2 *` in February)
   */
  nextWall(wall: number): number | undefined {
    const start = new Date(wall);
    const lastYear = start.getUTCFullYear() + MAX_YEARS;
    let year = start.getUTCFullYear();
    let month = start.getUTCMonth() + 1;
    let day = start.getUTCDate();
    let hour = start.getUTCHours();
    let minute = start.getUTCMinutes();
    while (year <= lastYear) {
      const m = this.#month[month] ?? -1;
      if (m !== month) {
        if (m < 0) {
          year++;
          month = this.#month[1] ?? 1;
        } else month = m;
        day = 1;
        hour = this.#firstHour;
        minute = this.#firstMinute;
      }
      const matchingDay = this.#dayFrom(year, month, day);
      if (matchingDay !== day) {
        hour = this.#firstHour;
        minute = this.#firstMinute;
        if (matchingDay < 0) {
          month++; // a month past 12 has no table entry: the next allowed month is next year's
          day = 1;
          continue;
        }
        day = matchingDay;
      }
      const h = this.#hour[hour] ?? -1;
      if (h !== hour) {
        minute = this.#firstMinute;
        if (h < 0) {
          day++; // past the month's end: the day check moves on to the next month
          hour = this.#firstHour;
          continue;
        }
        hour = h;
      }
      const mi = this.#minute[minute] ?? -1;
      if (mi < 0) {
        hour++; // past 23: the hour check moves on to the next day
        minute = this.#firstMinute;
        continue;
      }
      return Date.UTC(year, month - 1, day, hour, mi);
    }
    return undefined;
  }

  /** The first day ≥ `day` of this month whose day of month and day of week match, or -1. */
  #dayFrom(year: number, month: number, day: number): number {
    const dim = daysInMonth(year, month);
    const firstDow = (Math.floor(Date.UTC(year, month - 1, 1) / DAY_MS) + 4) % 7;
    for (let d = day <= 31 ? (this.#domNext[day] ?? -1) : -1; d > 0 && d <= dim; d = this.#domNext[d + 1] ?? -1) {
      if (this.#dow[(firstDow + d - 1) % 7] === 1) return d;
    }
    return -1;
  }
}
