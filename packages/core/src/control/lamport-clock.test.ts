import { describe, expect, it } from 'vitest';
import { LamportClock } from './lamport-clock.js';

describe('LamportClock', () => {
  it('forward ticks once; adjust moves past the other clock or its own', () => {
    const clock = new LamportClock();
    expect(clock.forward()).toBe(1);
    expect(clock.adjust(10)).toBe(11);
    expect(clock.adjust(3)).toBe(12);
    expect(new LamportClock(5).value).toBe(5);
  });
});
