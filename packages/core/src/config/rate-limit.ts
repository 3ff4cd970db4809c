/**
 * Celery's rate limit strings: `"10"` or `"10/s"` (per second), `"10/m"` (per minute), `"10/h"` (per hour).
 */

const PATTERN = /^(\d+(?:\.\d+)?)(?:\/([smh]))?$/;
const PER: Record<string, number> = { s: 1, m: 60, h: 3600 };

/** True for a well-formed rate limit string. */
export function isRateLimit(limit: string): boolean {
  return PATTERN.test(limit);
}

/**
 * Tasks per second allowed by `limit`, or `null` for no limit (`null`, or a rate of 0, as in Celery).
 * A malformed string also gives `null`; validate with {@link isRateLimit} first.
 */
export function parseRateLimit(limit: string | null): number | null {
  if (limit === null) return null;
  const m = PATTERN.exec(limit);
  if (!m) return null;
  const rate = Number(m[1]) / (PER[m[2] ?? 's'] ?? 1);
  return rate > 0 ? rate : null;
}
