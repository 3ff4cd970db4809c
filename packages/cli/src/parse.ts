/** Parsers of option values. Each throws a {@link UsageError} naming the option. */
import { UsageError } from './usage-error.js';

/** Parses a non-negative number of seconds (`--countdown 1.5`). */
export function parseSeconds(option: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw new UsageError(`${option}: expected a non-negative number of seconds, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** Parses an integer within `[min, max]` (`-c 4`, `--priority 9`). */
export function parseInteger(option: string, value: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `between ${min} and ${max}`;
    throw new UsageError(`${option}: expected an integer ${range}, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** Parses an ISO-8601 date-time (`--eta 2030-01-01T10:00:00+00:00`); naive strings are passed on as-is. */
export function parseIsoDate(option: string, value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(value.trim()) ||
    Number.isNaN(Date.parse(value))) {
    throw new UsageError(`${option}: expected an ISO-8601 date-time, got ${JSON.stringify(value)}`);
  }
  return value.trim();
}

/** Parses `--expires`: seconds from now, or an ISO-8601 date-time. */
export function parseExpires(option: string, value: string): number | string {
  return /^\s*[\d.]+\s*$/.test(value) ? parseSeconds(option, value) : parseIsoDate(option, value);
}

/** Parses a JSON array of positional arguments (`--args '[2, 2]'`). */
export function parseJsonArgs(option: string, value: string): unknown[] {
  const parsed = parseJson(option, value);
  if (!Array.isArray(parsed)) throw new UsageError(`${option}: expected a JSON array, e.g. '[2, 2]'`);
  return parsed as unknown[];
}

/** Parses a JSON object of keyword arguments (`--kwargs '{"y": 2}'`). */
export function parseJsonKwargs(option: string, value: string): Record<string, unknown> {
  const parsed = parseJson(option, value);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`${option}: expected a JSON object, e.g. '{"y": 2}'`);
  }
  return parsed as Record<string, unknown>;
}

/** Splits a comma-separated list (`-Q a,b`), dropping empty items; an empty list is an error. */
export function parseList(option: string, value: string): string[] {
  const items = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) throw new UsageError(`${option}: expected a comma-separated list, got ${JSON.stringify(value)}`);
  return items;
}

function parseJson(option: string, value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new UsageError(`${option}: invalid JSON (${reason}): ${value}`, { cause: err });
  }
}
