import { describe, expect, it } from 'vitest';
import { naiveUtcText } from './naive-utc.js';

describe('naiveUtcText', () => {
  it("writes PostgreSQL's text as Python's isoformat (six fraction digits, none when whole)", () => {
    expect(naiveUtcText('2026-11-22 02:46:53.87123')).toBe('2026-11-22T02:46:53.871230');
    expect(naiveUtcText('2026-11-22 02:46:53')).toBe('2026-11-22T02:46:53');
    expect(naiveUtcText('2026-11-22T02:46:53.859364')).toBe('2026-11-22T02:46:53.859364');
  });

  it('reads a Date made from the naive value as local time back to the same wall clock', () => {
    expect(naiveUtcText(new Date(2026, 10, 22, 2, 46, 53, 871))).toBe('2026-11-22T02:46:53.871000');
  });
});
