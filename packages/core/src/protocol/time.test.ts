import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../errors/q-error.js';
import { naiveUtcIso, parseIsoDate, toIsoWithOffset } from './time.js';

describe('ISO-8601 as Python writes it', () => {
  it('writes microseconds only when non-zero, always +00:00', () => {
    expect(toIsoWithOffset(new Date(Date.UTC(2026, 10, 22, 2, 39, 32, 295)))).toBe('2026-11-22T02:39:32.295000+00:00');
    expect(toIsoWithOffset(new Date(Date.UTC(2030, 0, 2, 3, 4, 5)))).toBe('2030-01-02T03:04:05+00:00');
    expect(naiveUtcIso(new Date(Date.UTC(2026, 10, 22, 2, 39, 41, 344)))).toBe('2026-11-22T02:39:41.344000');
    expect(naiveUtcIso(new Date(Date.UTC(2026, 0, 1)))).toBe('2026-01-01T00:00:00');
  });

  it('parses offsets, Z, microseconds, and naive times in the given zone', () => {
    expect(parseIsoDate('2026-11-22T02:39:32.295378+00:00', 'UTC').toISOString()).toBe('2026-11-22T02:39:32.295Z');
    expect(parseIsoDate('2026-11-22T02:57:50.439874Z', 'Europe/Berlin').toISOString()).toBe('2026-11-22T02:57:50.439Z');
    expect(parseIsoDate('2030-01-02T03:04:05-05:00', 'UTC').toISOString()).toBe('2030-01-02T08:04:05.000Z');
    expect(parseIsoDate('2026-11-22T02:39:41.344238', 'UTC').toISOString()).toBe('2026-11-22T02:39:41.344Z');
    expect(parseIsoDate('2026-07-01T12:00:00', 'Europe/Berlin').toISOString()).toBe('2026-07-01T10:00:00.000Z');
    expect(parseIsoDate('2026-07-01 12:00:00', 'UTC').toISOString()).toBe('2026-07-01T12:00:00.000Z');
  });

  it('round-trips its own output', () => {
    const d = new Date(Date.UTC(2026, 10, 22, 2, 39, 32, 1));
    expect(parseIsoDate(toIsoWithOffset(d), 'Asia/Tokyo').getTime()).toBe(d.getTime());
    expect(parseIsoDate(naiveUtcIso(d), 'UTC').getTime()).toBe(d.getTime());
  });

  it('rejects garbage and unknown zones with a ProtocolError', () => {
    expect(() => parseIsoDate('tomorrow', 'UTC')).toThrow(ProtocolError);
    expect(() => parseIsoDate('2026-11-22T02:39:32', 'Mars/Olympus')).toThrow(/Mars\/Olympus/);
    expect(() => toIsoWithOffset(new Date(NaN))).toThrow(ProtocolError);
  });
});
