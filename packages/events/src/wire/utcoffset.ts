/**
 * The `utcoffset` of Celery's events: integer hours **west** of UTC, floored, as Python's `time.timezone // 3600`
 * (`time.altzone // 3600` while daylight saving time is in effect). UTC+2 → `-2`, UTC → `0`, UTC−5 → `5`,
 * UTC+5:30 → `-6` (floor division, not truncation).
 */

/**
 * Hours west of UTC, floored. `at` is the moment to ask about (default now) or, as a number, the offset itself in
 * minutes west of UTC (what `Date.prototype.getTimezoneOffset()` returns): `utcoffset(-330)` → `-6`.
 */
export function utcoffset(at: Date | number = new Date()): number {
  const minutesWest = typeof at === 'number' ? at : at.getTimezoneOffset();
  // `+ 0` turns a `-0` (Math.floor(-0)) into `0`, so the wire never carries `-0`.
  return Math.floor((minutesWest * 60) / 3600) + 0;
}

/**
 * Moves a sender's `timestamp` (epoch seconds) into the local zone, as Celery's `adjust_timestamp`:
 * `timestamp - (senderUtcoffset - localUtcoffset) * 3600`.
 */
export function adjustTimestamp(timestamp: number, senderUtcoffset: number, localUtcoffset: number = utcoffset()): number {
  return timestamp - (senderUtcoffset - localUtcoffset) * 3600;
}

/**
 * A `utcoffset` reader for hot paths: it asks the time zone again only once a minute (of `nowMs`, epoch ms), so a
 * daylight-saving change is seen within a minute without a `Date` per event.
 */
export function utcoffsetCache(): (nowMs: number) => number {
  let value = 0;
  let validUntil = -Infinity;
  return (nowMs) => {
    if (nowMs >= validUntil || nowMs < validUntil - 60_000) {
      value = utcoffset(new Date(nowMs));
      validUntil = nowMs + 60_000;
    }
    return value;
  };
}
