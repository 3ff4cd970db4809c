import { describe, expect, it } from 'vitest';
import { autoscaler } from './autoscaler.js';

function scaled(max: number, min: number) {
  let size = min;
  let queued = 0;
  let busy = 0;
  let now = 0;
  const scaler = autoscaler({
    max,
    min,
    size: () => size,
    queued: () => queued,
    busy: () => busy,
    resize: (n) => {
      size = n;
    },
    now: () => now,
  });
  return {
    scaler,
    get size() {
      return size;
    },
    set: (q: number, b: number) => {
      queued = q;
      busy = b;
    },
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('autoscaler (Celery: grow at once with held tasks, shrink one at a time after the keepalive)', () => {
  it('grows to the tasks held, capped at max', () => {
    const s = scaled(10, 2);
    s.set(3, 2);
    s.scaler.tick();
    expect(s.size).toBe(5);
    s.set(30, 5);
    s.scaler.tick();
    expect(s.size).toBe(10);
  });

  it('shrinks by one per tick, not before 30 s without growth, never under min', () => {
    const s = scaled(10, 2);
    s.set(6, 0);
    s.scaler.tick();
    expect(s.size).toBe(6);
    s.set(0, 0);
    s.advance(10_000);
    s.scaler.tick();
    expect(s.size).toBe(6);
    s.advance(20_000);
    s.scaler.tick();
    expect(s.size).toBe(5);
    for (let i = 0; i < 10; i += 1) s.scaler.tick();
    expect(s.size).toBe(2);
  });
});
