import { describe, expect, it } from 'vitest';
import { adjustTimestamp, utcoffset, utcoffsetCache } from './utcoffset.js';

describe('utcoffset', () => {
  it('is hours west of UTC with floor division, as Python time.timezone // 3600', () => {
    expect(utcoffset(-120)).toBe(-2); // UTC+2
    expect(utcoffset(0)).toBe(0);
    expect(Object.is(utcoffset(0), 0)).toBe(true);
    expect(utcoffset(300)).toBe(5); // UTC-5
    expect(utcoffset(-330)).toBe(-6); // UTC+5:30
    expect(utcoffset(210)).toBe(3); // UTC-3:30 floors to 3
    expect(utcoffset(-345)).toBe(-6); // UTC+5:45
    expect(utcoffset(-60)).toBe(-1);
  });

  it('reads a Date through getTimezoneOffset', () => {
    const date = new Date();
    expect(utcoffset(date)).toBe(Math.floor(date.getTimezoneOffset() / 60));
    expect(Number.isInteger(utcoffset())).toBe(true);
  });

  it('adjustTimestamp moves a sender timestamp into the local zone', () => {
    expect(adjustTimestamp(1000, 0, 0)).toBe(1000);
    // sender UTC+2 (-2), local UTC (0): its timestamp is moved forward by 2 h
    expect(adjustTimestamp(1000, -2, 0)).toBe(1000 + 7200);
    expect(adjustTimestamp(1000, 5, -2)).toBe(1000 - 7 * 3600);
  });
});

describe('utcoffsetCache', () => {
  it('answers utcoffset of the moment asked, asking the zone again after a minute or when time goes back', () => {
    const read = utcoffsetCache();
    const now = Date.now();
    expect(read(now)).toBe(utcoffset(new Date(now)));
    expect(read(now + 59_000)).toBe(utcoffset(new Date(now)));
    const summer = Date.UTC(2026, 6, 1);
    expect(read(summer)).toBe(utcoffset(new Date(summer)));
    const winter = Date.UTC(2026, 0, 1);
    expect(read(winter)).toBe(utcoffset(new Date(winter)));
  });
});
