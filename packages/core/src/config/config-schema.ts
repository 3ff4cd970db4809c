/**
 * A tiny, data-driven validator for `createApp` options. Each leaf is a {@link Field}: a check that returns
 * the normalised value (or throws a {@link ConfigError} naming the path) and a default. Groups nest fields.
 * Unknown keys are errors that name the q option of a Celery setting (`broker_url` → `broker`) or suggest the
 * closest known key.
 */
import { ConfigError } from '../errors/q-error.js';
import { createAppExample, qOptionForCelerySetting } from './celery-setting-names.js';

/** Validates one value; `path` is the option path for messages (`task.maxRetries`). */
export type Check<T> = (value: unknown, path: string) => T;

/** A leaf option: how to check it and its default (a value or computed from nothing). */
export interface Field<T = unknown> {
  readonly kind: 'field';
  readonly check: Check<T>;
  readonly fallback: () => T;
}

/** A nested group of options (`task`, `result`, …). */
export interface Group {
  readonly kind: 'group';
  readonly fields: Readonly<Record<string, Field | Group>>;
}

/** Declares a leaf option. */
export function field<T>(check: Check<T>, fallback: T | (() => T)): Field<T> {
  const make = typeof fallback === 'function' ? (fallback as () => T) : () => fallback;
  return { kind: 'field', check, fallback: make };
}

/** Declares a group of options. */
export function group(fields: Record<string, Field | Group>): Group {
  return { kind: 'group', fields };
}

/** Throws the standard "expected …" error. */
export function invalid(path: string, expected: string, value: unknown): never {
  throw new ConfigError('Q_ERR_CONFIG_INVALID', `${path}: expected ${expected} (got ${describe(value)})`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return withArticle(typeof value);
}

/**
 * `a boolean`, `an object`, `an integer`: the indefinite article by the first letter, which is the first sound
 * for the words it is given (type names and kinds of number; not for `URL` or `hour`).
 */
export function withArticle(phrase: string): string {
  return `${/^[aeiou]/i.test(phrase) ? 'an' : 'a'} ${phrase}`;
}

/** A plain object (not an array, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ----- leaf checks ---------------------------------------------------------------------------

/** `true` / `false`. */
export const bool: Check<boolean> = (v, p) => (typeof v === 'boolean' ? v : invalid(p, 'a boolean', v));

/** A string, optionally non-empty and one of a set. */
export function str(opts: { nonEmpty?: boolean; oneOf?: readonly string[] } = {}): Check<string> {
  return (v, p) => {
    if (typeof v !== 'string') return invalid(p, 'a string', v);
    if (opts.nonEmpty && v.length === 0) return invalid(p, 'a non-empty string', v);
    if (opts.oneOf && !opts.oneOf.includes(v)) return invalid(p, `one of ${opts.oneOf.map((s) => `"${s}"`).join(', ')}`, v);
    return v;
  };
}

/** A finite number within bounds; `int` requires an integer. */
export function num(opts: { min?: number; max?: number; int?: boolean; positive?: boolean } = {}): Check<number> {
  const parts: string[] = [];
  if (opts.positive) parts.push('positive');
  else if (opts.min === 0) parts.push('non-negative');
  parts.push(opts.int ? 'integer' : 'number');
  let expected = withArticle(parts.join(' '));
  if (opts.min !== undefined && opts.min !== 0) expected += ` ≥ ${opts.min}`;
  if (opts.max !== undefined) expected += ` ≤ ${opts.max}`;
  return (v, p) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) return invalid(p, expected, v);
    if (opts.int && !Number.isInteger(v)) return invalid(p, expected, v);
    if (opts.positive && v <= 0) return invalid(p, expected, v);
    if (opts.min !== undefined && v < opts.min) return invalid(p, expected, v);
    if (opts.max !== undefined && v > opts.max) return invalid(p, expected, v);
    return v;
  };
}

/** Accepts `null` besides what `inner` accepts. */
export function nullable<T>(inner: Check<T>): Check<T | null> {
  return (v, p) => {
    if (v === null) return null;
    try {
      return inner(v, p);
    } catch (err) {
      if (err instanceof ConfigError && err.message.startsWith(`${p}: expected `)) {
        const rest = err.message.slice(`${p}: expected `.length).replace(/ \(got [^)]*\)$/, '');
        return invalid(p, `${rest} or null`, v);
      }
      throw err;
    }
  };
}

/** An array whose items pass `item`. */
export function arrayOf<T>(item: Check<T>, opts: { nonEmpty?: boolean } = {}): Check<T[]> {
  return (v, p) => {
    if (!Array.isArray(v)) return invalid(p, 'an array', v);
    if (opts.nonEmpty && v.length === 0) return invalid(p, 'a non-empty array', v);
    return v.map((x, i) => item(x, `${p}[${i}]`));
  };
}

/** A plain object with any keys (adapter options). Copied shallowly. */
export const record: Check<Record<string, unknown>> = (v, p) =>
  isPlainObject(v) ? { ...v } : invalid(p, 'an object', v);

/** An object with methods named `methods` (adapter instances, loggers). */
export function hasMethods(what: string, methods: readonly string[]): Check<object> {
  return (v, p) => {
    if (typeof v !== 'object' || v === null) return invalid(p, what, v);
    const obj = v as Record<string, unknown>;
    for (const m of methods) if (typeof obj[m] !== 'function') return invalid(p, `${what} (missing ${m}())`, v);
    return v;
  };
}

/** Accepts what any check accepts, trying them in order; `expected` describes all of them. */
export function oneOf<T>(expected: string, ...checks: Check<T>[]): Check<T> {
  return (v, p) => {
    for (const c of checks) {
      try {
        return c(v, p);
      } catch {
        // try the next one
      }
    }
    return invalid(p, expected, v);
  };
}

// ----- objects and groups ------------------------------------------------------------------

/**
 * Checks an object against known keys, failing on unknown ones with a hint: at the top level (`path` empty) a
 * Celery setting name gets the q option it maps to; otherwise the closest known key (snake_case read as camelCase).
 */
export function checkKeys(value: Record<string, unknown>, known: readonly string[], path: string): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const full = path ? `${path}.${key}` : key;
    const celery = path === '' ? qOptionForCelerySetting(key) : null;
    if (celery !== null) {
      throw new ConfigError(
        'Q_ERR_CONFIG_INVALID',
        `${full} is not an option (it is Celery's setting name; q's option is ${celery}: ${createAppExample(celery)})`,
      );
    }
    const guess = closest(key, known);
    const hint = guess === null ? '' : ` (did you mean ${path ? `${path}.${guess}` : guess}?)`;
    throw new ConfigError('Q_ERR_CONFIG_INVALID', `${full} is not an option${hint}`);
  }
}

/** A check for an object with declared fields (each with its own check; missing optional keys are left out). */
export function shape<T>(fields: Record<string, { check: Check<unknown>; required?: boolean }>): Check<T> {
  return (v, p) => {
    if (!isPlainObject(v)) return invalid(p, 'an object', v);
    checkKeys(v, Object.keys(fields), p);
    const out: Record<string, unknown> = {};
    for (const [k, f] of Object.entries(fields)) {
      if (v[k] === undefined) {
        if (f.required) throw new ConfigError('Q_ERR_CONFIG_INVALID', `${p}.${k}: is required`);
        continue;
      }
      out[k] = f.check(v[k], `${p}.${k}`);
    }
    return out as T;
  };
}

/** Resolves `input` against a group: checks present values, fills defaults, rejects unknown keys. */
export function resolveGroup(schema: Group, input: unknown, path: string): Record<string, unknown> {
  if (input === undefined) input = {};
  if (!isPlainObject(input)) return invalid(path || 'options', 'an object', input);
  checkKeys(input, Object.keys(schema.fields), path);
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(schema.fields)) {
    const p = path ? `${path}.${key}` : key;
    const value = input[key];
    if (spec.kind === 'group') out[key] = resolveGroup(spec, value, p);
    else out[key] = value === undefined ? spec.fallback() : spec.check(value, p);
  }
  return out;
}

/**
 * The known key closest to `key` (edit distance ≤ 3, or the same once case, `_` and `-` are ignored:
 * `acks_late` → `acksLate`), else null.
 */
export function closest(key: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  const loose = (s: string): string => s.toLowerCase().replace(/[_-]/g, '');
  for (const k of known) {
    const d = loose(k) === loose(key) ? 0 : distance(key, k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.min(3, Math.floor(key.length / 3))) ? best : null;
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/** Freezes plain objects and arrays in place, recursively (class instances are left alone), and returns it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  const proto: unknown = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return value;
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
  return value;
}
