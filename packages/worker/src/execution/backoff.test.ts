import { describe, expect, it } from 'vitest';
import { backoffCountdown } from './backoff.js';

describe('backoffCountdown', () => {
  const base = { retryBackoff: true as boolean | number, retryBackoffMax: 600, retryJitter: false };

  it('doubles from the factor per retry (Celery: factor * 2 ** retries)', () => {
    expect([0, 1, 2, 3].map((r) => backoffCountdown(base, r))).toEqual([1, 2, 4, 8]);
    expect(backoffCountdown({ ...base, retryBackoff: 3 }, 2)).toBe(12);
  });

  it('caps at retryBackoffMax', () => {
    expect(backoffCountdown({ ...base, retryBackoffMax: 5 }, 10)).toBe(5);
  });

  it('with jitter draws within [0, countdown]', () => {
    const opts = { ...base, retryJitter: true };
    expect(backoffCountdown(opts, 3, () => 0)).toBe(0);
    expect(backoffCountdown(opts, 3, () => 0.5)).toBe(4);
    expect(backoffCountdown(opts, 3, () => 0.999)).toBeLessThanOrEqual(8);
  });

  it('is null without backoff', () => {
    expect(backoffCountdown({ ...base, retryBackoff: false }, 1)).toBeNull();
  });
});
