/**
 * Key names of Celery's Redis result backend (`celery/backends/redis.py`). The task and group keys come from
 * core (`taskKey`, `groupKey`); these are the Redis-only additions (the chord keys).
 */
import { groupKey } from '@q/core/adapter';

export { groupKey, taskKey } from '@q/core/adapter';

/** The three keys of a native chord: `.j` (join zset), `.t` (extra size, INCR), `.s` (size, set by the client). */
export interface ChordKeys {
  join: string;
  extra: string;
  size: string;
}

/** `celery-taskset-meta-<gid>.j`, `.t`, `.s`. */
export function chordKeys(groupId: string): ChordKeys {
  const base = groupKey(groupId);
  return { join: `${base}.j`, extra: `${base}.t`, size: `${base}.s` };
}
