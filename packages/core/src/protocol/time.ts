/**
 * Python `datetime.isoformat()` formats used on the wire: header `eta`/`expires` (aware, `+00:00`) and the
 * result document's `date_done` (naive UTC). Python writes microseconds only when they are non-zero.
 */
import { DateTime } from 'luxon';
import { ProtocolError } from '../errors/q-error.js';

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function isoBody(date: Date): string {
  const time = date.getTime();
  if (Number.isNaN(time)) throw new ProtocolError('Q_ERR_MESSAGE_MALFORMED', 'cannot format an invalid Date');
  const base =
    `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}` +
    `T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
  const ms = date.getUTCMilliseconds();
  return ms === 0 ? base : `${base}.${pad(ms, 3)}000`;
}

/** `2026-11-22T02:39:32.295000+00:00`: aware UTC ISO-8601 as Python writes header `eta`/`expires`. */
export function toIsoWithOffset(date: Date): string {
  return `${isoBody(date)}+00:00`;
}

/** `2026-11-22T02:39:41.344000`: naive UTC ISO-8601 as Celery writes `date_done`. */
export function naiveUtcIso(date: Date): string {
  return isoBody(date);
}

/**
 * Parse an ISO-8601 date/time: with an offset (`+00:00`, `-05:00`) or `Z` it is absolute; a naive string is
 * read in `timezone` (an IANA name such as `UTC` or `Europe/Berlin`), as a Celery worker reads it in its own
 * timezone. A space instead of `T` is accepted. Fractions beyond milliseconds are truncated.
 *
 * @throws ProtocolError (`Q_ERR_MESSAGE_MALFORMED`) when the text is not a date or the zone is unknown.
 */
export function parseIsoDate(text: string, timezone: string): Date {
  const normalized = /^\d{4}-\d{2}-\d{2} \d/.test(text) ? `${text.slice(0, 10)}T${text.slice(11)}` : text;
  const parsed = DateTime.fromISO(normalized, { zone: timezone, setZone: false });
  if (!parsed.isValid) {
    throw new ProtocolError(
      'Q_ERR_MESSAGE_MALFORMED',
      `invalid ISO-8601 date ${JSON.stringify(text)} (zone ${timezone}): ${parsed.invalidExplanation ?? parsed.invalidReason ?? 'unparsable'}`,
    );
  }
  return parsed.toJSDate();
}
