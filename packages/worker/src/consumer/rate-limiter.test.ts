import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RateLimiter } from './rate-limiter.js';
import { Timer } from './timer.js';

describe('RateLimiter', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  function limiter() {
    const ran: { item: string; at: number }[] = [];
    const l = new RateLimiter<string>(new Timer(), (item) => ran.push({ item, at: Date.now() }));
    return { l, ran };
  }

  it('runs the first task at once, then one per 1/rate seconds, in arrival order (no burst)', () => {
    const { l, ran } = limiter();
    for (const x of ['a', 'b', 'c', 'd']) l.admit('t', 4, x);
    expect(ran.map((r) => r.item)).toEqual(['a']);
    expect(l.waiting).toBe(3);
    vi.advanceTimersByTime(249);
    expect(ran).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(ran.map((r) => r.item)).toEqual(['a', 'b']);
    vi.advanceTimersByTime(500);
    expect(ran.map((r) => [r.item, r.at - 1_000_000])).toEqual([['a', 0], ['b', 250], ['c', 500], ['d', 750]]);
    expect(l.waiting).toBe(0);
  });

  it('keeps one bucket per task name: another name is not held up', () => {
    const { l, ran } = limiter();
    l.admit('slow', 1, 's1');
    l.admit('slow', 1, 's2');
    l.admit('other', 1, 'o1');
    expect(ran.map((r) => r.item)).toEqual(['s1', 'o1']);
  });

  it('refills while idle, up to one token', () => {
    const { l, ran } = limiter();
    l.admit('t', 2, 'a');
    vi.advanceTimersByTime(10_000);
    l.admit('t', 2, 'b');
    l.admit('t', 2, 'c');
    expect(ran.map((r) => r.item)).toEqual(['a', 'b']);
    vi.advanceTimersByTime(500);
    expect(ran.map((r) => r.item)).toEqual(['a', 'b', 'c']);
  });

  it('release() hands back every waiting item and cancels their timers', () => {
    const { l, ran } = limiter();
    for (const x of ['a', 'b', 'c']) l.admit('t', 1, x);
    expect(l.release()).toEqual(['b', 'c']);
    vi.advanceTimersByTime(5000);
    expect(ran.map((r) => r.item)).toEqual(['a']);
  });
});
