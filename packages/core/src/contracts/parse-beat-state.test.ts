import { describe, expect, it } from 'vitest';
import { asBeatState, parseBeatState } from './parse-beat-state.js';

describe('parseBeatState', () => {
  it('reads back a stored state', () => {
    const state = { timezone: 'UTC', entries: { a: { lastRunAt: '2026-01-01T00:00:00.000Z', totalRunCount: 2 }, b: { lastRunAt: null, totalRunCount: 0 } } };
    expect(parseBeatState(JSON.stringify(state))).toEqual(state);
  });

  it('is null for text that is not JSON or not a state', () => {
    expect(parseBeatState('{')).toBeNull();
    expect(parseBeatState('[]')).toBeNull();
    expect(parseBeatState('{"timezone":1,"entries":{}}')).toBeNull();
    expect(parseBeatState('{"timezone":"UTC"}')).toBeNull();
  });

  it('drops entries of another shape and keeps the rest', () => {
    expect(asBeatState({ timezone: 'UTC', entries: { ok: { lastRunAt: null, totalRunCount: 1 }, bad: { lastRunAt: 5, totalRunCount: 1 }, none: null } })).toEqual({
      timezone: 'UTC',
      entries: { ok: { lastRunAt: null, totalRunCount: 1 } },
    });
  });
});
