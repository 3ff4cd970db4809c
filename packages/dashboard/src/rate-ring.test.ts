import { describe, expect, it } from 'vitest';
import { RateRing } from './rate-ring.js';

describe('RateRing', () => {
  it('counts succeeded and failed tasks per second and ignores other events', () => {
    let now = 1_000_000;
    const ring = new RateRing({ seconds: 5, now: () => now });
    ring.record('task-succeeded');
    ring.record('task-succeeded');
    ring.record('task-failed');
    ring.record('task-received');
    now += 1000;
    ring.record('task-failed');
    expect(ring.points(3)).toEqual([
      [999, 0, 0],
      [1000, 2, 1],
      [1001, 0, 1],
    ]);
  });

  it('forgets seconds older than its size, reusing their slots', () => {
    let now = 10_000;
    const ring = new RateRing({ seconds: 3, now: () => now });
    ring.record('task-succeeded');
    now += 3000; // same slot, three seconds later
    ring.record('task-failed');
    expect(ring.points()).toEqual([
      [11, 0, 0],
      [12, 0, 0],
      [13, 0, 1],
    ]);
    expect(ring.points(100)).toHaveLength(3);
  });

  it('rejects a size that is not a positive integer', () => {
    expect(() => new RateRing({ seconds: 0 })).toThrow(/positive integer/);
  });
});
