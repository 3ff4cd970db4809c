import { afterEach, describe, expect, it, vi } from 'vitest';
import { Timer } from './timer.js';

describe('Timer', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires entries in due order with one timeout, whatever the insertion order', () => {
    vi.useFakeTimers({ now: 1000 });
    const timer = new Timer();
    const fired: string[] = [];
    timer.schedule(1300, () => fired.push('c'));
    timer.schedule(1100, () => fired.push('a'));
    timer.schedule(1200, () => fired.push('b'));
    timer.schedule(1100, () => fired.push('a2'));
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(150);
    expect(fired).toEqual(['a', 'a2']);
    vi.advanceTimersByTime(200);
    expect(fired).toEqual(['a', 'a2', 'b', 'c']);
    expect(timer.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('fires past times on the next turn', () => {
    vi.useFakeTimers({ now: 5000 });
    const timer = new Timer();
    const fn = vi.fn();
    timer.schedule(10, fn);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(0);
    expect(fn).toHaveBeenCalledOnce();
  });

  it('cancels one entry or all', () => {
    vi.useFakeTimers({ now: 0 });
    const timer = new Timer();
    const a = vi.fn();
    const b = vi.fn();
    const entry = timer.schedule(10, a);
    timer.schedule(20, b);
    expect(entry.cancel()).toBe(true);
    expect(entry.cancel()).toBe(false);
    vi.advanceTimersByTime(15);
    expect(a).not.toHaveBeenCalled();
    timer.clear();
    vi.advanceTimersByTime(50);
    expect(b).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('re-arms for delays longer than setTimeout accepts', () => {
    vi.useFakeTimers({ now: 0 });
    const timer = new Timer();
    const fn = vi.fn();
    const far = 3_000_000_000;
    timer.schedule(far, fn);
    vi.advanceTimersByTime(2_147_483_647);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(far - 2_147_483_647);
    expect(fn).toHaveBeenCalledOnce();
  });
});
