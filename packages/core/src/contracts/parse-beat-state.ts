/** A stored beat state read back (a JSON document of a Redis or PostgreSQL beat store) and checked for the shape of {@link BeatState}. */
import type { BeatEntryState, BeatState } from './beat-state.js';

/** The state in `text`, or `null` when it is not a beat state (a corrupt document: the beat starts afresh, as Celery does). */
export function parseBeatState(text: string): BeatState | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  return asBeatState(value);
}

/** `value` when it has the shape of a {@link BeatState} (entries of another shape are dropped), else `null`. */
export function asBeatState(value: unknown): BeatState | null {
  if (typeof value !== 'object' || value === null) return null;
  const { timezone, entries } = value as { timezone?: unknown; entries?: unknown };
  if (typeof timezone !== 'string' || typeof entries !== 'object' || entries === null) return null;
  const kept: Record<string, BeatEntryState> = {};
  for (const [name, entry] of Object.entries(entries)) {
    const { lastRunAt, totalRunCount } = (entry ?? {}) as { lastRunAt?: unknown; totalRunCount?: unknown };
    if ((lastRunAt === null || typeof lastRunAt === 'string') && typeof totalRunCount === 'number') kept[name] = { lastRunAt, totalRunCount };
  }
  return { timezone, entries: kept };
}
