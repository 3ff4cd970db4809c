import { describe, expect, it } from 'vitest';
import { isRateLimit, parseRateLimit } from './rate-limit.js';

describe('rate limits', () => {
  it('reads Celery rate strings as tasks per second', () => {
    expect(parseRateLimit('10')).toBe(10);
    expect(parseRateLimit('10/s')).toBe(10);
    expect(parseRateLimit('30/m')).toBe(0.5);
    expect(parseRateLimit('7200/h')).toBe(2);
    expect(parseRateLimit('1.5/s')).toBe(1.5);
  });

  it('means no limit for null and 0', () => {
    expect(parseRateLimit(null)).toBeNull();
    expect(parseRateLimit('0')).toBeNull();
    expect(parseRateLimit('0/m')).toBeNull();
  });

  it('tells malformed strings', () => {
    for (const bad of ['', '10/d', 'ten', '-1', '10/', '/s', '1e3']) expect(isRateLimit(bad), bad).toBe(false);
    expect(isRateLimit('5/m')).toBe(true);
  });
});
