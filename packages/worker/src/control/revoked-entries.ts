/**
 * Revoked ids as mingle exchanges them: Celery's `LimitedSet._data`, `{<id>: [<timestamp>, <id>]}`.
 *
 * A Python worker's timestamps come from `time.monotonic()` (seconds since its host booted), q's are epoch seconds:
 * an incoming timestamp that cannot be an epoch time (before 2001) is taken as "now", so the id is kept the full
 * `REVOKE_EXPIRES` instead of being purged at once. Timestamps sent are always written as floats (Python's
 * `LimitedSet.update` rejects an int).
 */
import type { LimitedSet } from '../state/limited-set.js';

/** Epoch seconds of 2001-09-09: anything smaller is a monotonic clock. */
const EPOCH_FLOOR = 1e9;

/** `set` as `{id: [timestamp, id]}`. */
export function revokedEntries(set: LimitedSet<string>): Record<string, [number, string]> {
  const out: Record<string, [number, string]> = {};
  for (const [id, at] of set.asDict()) out[id] = [Number.isInteger(at) ? at + 1e-6 : at, id];
  return out;
}

/** Merges `{id: [timestamp, id]}` (or `{id: timestamp}`, or a list of ids) into `set`; returns how many entries were read. */
export function mergeRevoked(set: LimitedSet<string>, received: unknown, now: number = Date.now() / 1000): number {
  if (Array.isArray(received)) {
    const ids = received.filter((id): id is string => typeof id === 'string');
    set.update(ids);
    return ids.length;
  }
  if (received === null || typeof received !== 'object') return 0;
  let n = 0;
  for (const [id, entry] of Object.entries(received as Record<string, unknown>)) {
    const at = Array.isArray(entry) ? entry[0] : entry;
    const ts = typeof at === 'number' && Number.isFinite(at) && at >= EPOCH_FLOOR && at <= now + 86_400 ? at : now;
    set.add(id, ts);
    n += 1;
  }
  return n;
}
