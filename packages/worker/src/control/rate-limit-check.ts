/**
 * Celery's check of a rate limit string (`celery.utils.time.rate`): `N`, `N/s`, `N/m`, `N/h` with `N` a float. The
 * error text is what Python raises, so the reply reads as a Python worker's: `Invalid rate limit string:
 * ValueError("could not convert string to float: 'x'")`.
 */
import { pyStrRepr } from '@q/core/internal';
import { exceptionRepr } from './error-reply.js';

const PY_FLOAT = /^\s*[+-]?(?:(?:\d(?:_?\d)*)?\.?\d(?:_?\d)*(?:[eE][+-]?\d+)?|inf(?:inity)?|nan)\s*$/i;
const MODIFIERS = new Set(['', 's', 'm', 'h']);

/** The repr of the error Python raises for `rate`, or `null` when it is valid (`null`, `""` and numbers are). */
export function rateLimitError(rate: unknown): string | null {
  if (rate === null || rate === undefined || rate === '' || typeof rate === 'number') return null;
  if (typeof rate !== 'string') return exceptionRepr('TypeError', `invalid rate limit ${JSON.stringify(rate)}`);
  const slash = rate.indexOf('/');
  const ops = slash === -1 ? rate : rate.slice(0, slash);
  const modifier = slash === -1 ? '' : rate.slice(slash + 1);
  if (!PY_FLOAT.test(ops)) return `ValueError(${pyStrRepr(`could not convert string to float: ${pyStrRepr(ops)}`)})`;
  if (!MODIFIERS.has(modifier)) return exceptionRepr('KeyError', modifier);
  return null;
}
