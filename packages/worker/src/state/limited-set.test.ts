import { describe, expect, it } from 'vitest';
import { LimitedSet } from './limited-set.js';

/** A clock the test moves (seconds). */
function clock(start = 1_000_000): { now: () => number; advance: (s: number) => void } {
  let t = start;
  return { now: () => t, advance: (s) => (t += s) };
}

describe('LimitedSet', () => {
  it('keeps the newest maxlen items, dropping the oldest first', () => {
    const c = clock();
    const s = new LimitedSet<string>({ maxlen: 3, now: c.now });
    for (const id of ['a', 'b', 'c', 'd', 'e']) {
      s.add(id);
      c.advance(1);
    }
    expect(s.size).toBe(3);
    expect([...s]).toEqual(['c', 'd', 'e']);
    expect(s.has('a')).toBe(false);
    expect(s.has('e')).toBe(true);
  });

  it("holds Celery's limit: 50,000 ids, the last 50,000 added kept", () => {
    const s = new LimitedSet<string>({ maxlen: 50_000, expires: 10_800 });
    for (let i = 0; i < 60_000; i += 1) s.add(String(i));
    expect(s.size).toBe(50_000);
    expect(s.has('9999')).toBe(false);
    expect(s.has('10000')).toBe(true);
    expect(s.has('59999')).toBe(true);
  });

  it('re-adding an item renews it (it is no longer the oldest)', () => {
    const c = clock();
    const s = new LimitedSet<string>({ maxlen: 2, now: c.now });
    s.add('a');
    c.advance(1);
    s.add('b');
    c.advance(1);
    s.add('a');
    c.advance(1);
    s.add('c');
    expect([...s]).toEqual(['a', 'c']);
  });

  it('purge drops items older than expires, down to minlen', () => {
    const c = clock();
    const s = new LimitedSet<string>({ maxlen: 100, expires: 10_800, minlen: 1, now: c.now });
    s.add('old1');
    s.add('old2');
    c.advance(7_200);
    s.add('young');
    c.advance(3_600); // old ones are 3 h old now, young 1 h
    s.purge();
    expect([...s]).toEqual(['young']);
    c.advance(10_800);
    s.purge();
    expect([...s]).toEqual(['young']); // minlen
    const free = new LimitedSet<string>({ expires: 10, now: c.now });
    free.add('x');
    free.purge(c.now() + 11);
    expect(free.size).toBe(0);
  });

  it('expiry applies when a purge runs: at maxlen on add (as Celery), not on lookup', () => {
    const c = clock();
    const s = new LimitedSet<string>({ maxlen: 3, expires: 60, now: c.now });
    s.add('a');
    s.add('b');
    c.advance(61);
    expect(s.has('a')).toBe(true); // not purged yet
    s.add('c'); // reaches maxlen: purge drops the expired a and b
    expect([...s]).toEqual(['c']);
  });

  it('discarded items are skipped by the heap and the heap is rebuilt when overloaded', () => {
    const c = clock();
    const s = new LimitedSet<string>({ maxlen: 5, now: c.now });
    for (let i = 0; i < 1000; i += 1) {
      s.add(`k${i}`);
      c.advance(1);
      if (i % 2 === 0) s.discard(`k${i}`);
    }
    expect(s.size).toBeLessThanOrEqual(5);
    const oldest = [...s][0];
    expect(s.pop()).toBe(oldest);
    expect(s.has(oldest as string)).toBe(false);
  });

  it('merge keeps the times of saved pairs; asDict gives them back oldest first', () => {
    const c = clock(500);
    const s = new LimitedSet<string>({ expires: 100, now: c.now });
    s.merge([
      ['late', 450],
      ['early', 300],
    ]);
    expect(s.asDict()).toEqual([
      ['early', 300],
      ['late', 450],
    ]);
    s.purge();
    expect([...s]).toEqual(['late']);
  });

  it('rejects limits Celery rejects', () => {
    expect(() => new LimitedSet({ maxlen: 1, minlen: 2 })).toThrow(/minlen/);
    expect(() => new LimitedSet({ expires: -1 })).toThrow(/negative/);
  });
});
