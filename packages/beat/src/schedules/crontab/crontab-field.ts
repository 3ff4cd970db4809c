/**
 * One crontab field, parsed as Celery's `crontab_parser` does: `*`, numbers, `a-b` ranges (wrapping past the
 * maximum: `fri-mon`), steps on stars and ranges (`2-30/3`; a star with a step, every 15th minute), comma lists of those, day names and month
 * names (first three letters, any case). Numbers, arrays and sets are taken as Celery takes ints and sets.
 */
import { ConfigError } from '@q/core';

/** What a crontab field accepts: a number, a Celery string, or the values themselves. */
export type CrontabField = number | string | readonly number[] | ReadonlySet<number>;

/** The five fields, as the TypeScript API names them. */
export type CrontabFieldName = 'minute' | 'hour' | 'dayOfWeek' | 'dayOfMonth' | 'monthOfYear';

interface FieldRange {
  readonly min: number;
  readonly max: number;
  readonly names?: Readonly<Record<string, number>>;
}

const DAY_NAMES: Readonly<Record<string, number>> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const MONTH_NAMES: Readonly<Record<string, number>> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
};

/** Each field's bounds. Day of week is 0–6 with Sunday 0; 7 is read as Sunday too (as Vixie cron does). */
export const FIELD_RANGES: Readonly<Record<CrontabFieldName, FieldRange>> = {
  minute: { min: 0, max: 59 },
  hour: { min: 0, max: 23 },
  dayOfWeek: { min: 0, max: 7, names: DAY_NAMES },
  dayOfMonth: { min: 1, max: 31 },
  monthOfYear: { min: 1, max: 12, names: MONTH_NAMES },
};

function fail(field: CrontabFieldName, token: string, why: string): never {
  throw new ConfigError('Q_ERR_CONFIG_INVALID', `crontab ${field}: ${why} in "${token}"`);
}

function valueOf(field: CrontabFieldName, token: string, word: string): number {
  const range = FIELD_RANGES[field];
  let value: number | undefined;
  if (/^\d+$/.test(word)) value = Number(word);
  else if (range.names && /^[a-z]+$/i.test(word)) value = range.names[word.slice(0, 3).toLowerCase()];
  if (value === undefined) {
    fail(field, token, word.startsWith('-') ? 'negative numbers are not supported' : `"${word}" is not a number${range.names ? ' or a name' : ''}`);
  }
  if (value < range.min || value > range.max) fail(field, token, `${value} is out of range ${range.min}-${range.max}`);
  return value;
}

/** `a-b` expanded; when `b < a` the range wraps past the maximum (`fri-mon` → 5, 6, 0, 1). */
function expandRange(field: CrontabFieldName, from: number, to: number): number[] {
  const { min, max } = FIELD_RANGES[field];
  const top = field === 'dayOfWeek' ? 6 : max; // Celery wraps day of week at 6 (Saturday)
  const out: number[] = [];
  if (to >= from) for (let v = from; v <= to; v++) out.push(v);
  else {
    for (let v = from; v <= top; v++) out.push(v);
    for (let v = min; v <= to; v++) out.push(v);
  }
  return out;
}

function parsePart(field: CrontabFieldName, token: string, part: string): number[] {
  const slash = part.indexOf('/');
  const base = slash < 0 ? part : part.slice(0, slash);
  let values: number[];
  if (base === '*') {
    const { min, max } = FIELD_RANGES[field];
    values = expandRange(field, min, field === 'dayOfWeek' ? 6 : max);
  } else {
    const dash = base.indexOf('-', 1);
    if (dash < 0) {
      if (slash >= 0) fail(field, token, `a step needs "*" or a range before "/" ("${part}")`);
      return [valueOf(field, token, base)];
    }
    const from = valueOf(field, token, base.slice(0, dash));
    values = expandRange(field, field === 'dayOfWeek' && from === 7 ? 0 : from, valueOf(field, token, base.slice(dash + 1)));
  }
  if (slash < 0) return values;
  const step = part.slice(slash + 1);
  if (!/^\d+$/.test(step) || Number(step) === 0) fail(field, token, `the step "${step}" is not a positive number`);
  return values.filter((_, i) => i % Number(step) === 0);
}

/**
 * The sorted, distinct values a field allows.
 * @throws ConfigError naming the field and the token when the field does not parse or a value is out of range
 */
export function parseCrontabField(field: CrontabFieldName, spec: CrontabField): number[] {
  const range = FIELD_RANGES[field];
  let values: number[];
  if (typeof spec === 'string') {
    const text = spec.trim();
    values = [];
    for (const part of text.split(',')) {
      if (part === '') fail(field, text, 'empty part');
      values.push(...parsePart(field, text, part));
    }
  } else {
    values = typeof spec === 'number' ? [spec] : [...spec];
    for (const v of values) {
      if (!Number.isInteger(v) || v < range.min || v > range.max) fail(field, String(v), `${v} is out of range ${range.min}-${range.max}`);
    }
  }
  if (field === 'dayOfWeek') values = values.map((v) => (v === 7 ? 0 : v));
  return [...new Set(values)].sort((a, b) => a - b);
}

/** The field as Celery's repr and the stored form write it: the string as given, else the values comma-joined. */
export function crontabFieldText(spec: CrontabField): string {
  if (typeof spec === 'string') return spec.trim();
  if (typeof spec === 'number') return String(spec);
  return [...spec].sort((a, b) => a - b).join(',');
}
