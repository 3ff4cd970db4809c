import { ConfigError } from '@q/core';
import { describe, expect, it } from 'vitest';
import { scheduleFromJSON } from '../schedule-json.js';
import { withDefaultTimezone } from '../zoned-schedule.js';
import { crontab } from './crontab.js';
import type { CrontabFields } from './crontab.js';

const at = (iso: string): Date => new Date(iso);
const next = (fields: CrontabFields | string, after: string, timezone?: string): string =>
  crontab(fields, timezone === undefined ? {} : { timezone }).nextAfter(at(after)).toISOString();

/** `after` then each following firing, as ISO strings. */
function firings(fields: CrontabFields | string, after: string, count: number, timezone?: string): string[] {
  const schedule = crontab(fields, timezone === undefined ? {} : { timezone });
  const out: string[] = [];
  let t = at(after);
  for (let i = 0; i < count; i++) {
    t = schedule.nextAfter(t);
    out.push(t.toISOString());
  }
  return out;
}

describe('crontab nextAfter: each syntax form (UTC, hand-checked)', () => {
  it('every minute by default, strictly after the input, seconds 0', () => {
    expect(next({}, '2027-01-05T10:00:00Z')).toBe('2027-01-05T10:01:00.000Z');
    expect(next({}, '2027-01-05T10:00:59.999Z')).toBe('2027-01-05T10:01:00.000Z');
  });
  it('numbers: 04:00 daily', () => {
    expect(firings({ minute: 0, hour: 4 }, '2027-01-05T04:00:00Z', 2)).toEqual(['2027-01-06T04:00:00.000Z', '2027-01-07T04:00:00.000Z']);
  });
  it('star steps and range steps', () => {
    expect(firings({ minute: '*/15' }, '2027-01-05T10:40:00Z', 3)).toEqual([
      '2027-01-05T10:45:00.000Z',
      '2027-01-05T11:00:00.000Z',
      '2027-01-05T11:15:00.000Z',
    ]);
    expect(firings({ minute: 0, hour: '2-23/3' }, '2027-01-05T22:00:00Z', 3)).toEqual([
      '2027-01-05T23:00:00.000Z',
      '2027-01-06T02:00:00.000Z',
      '2027-01-06T05:00:00.000Z',
    ]);
  });
  it('lists of steps: */2,*/3', () => {
    expect(firings({ minute: '*/2,*/3' }, '2027-01-05T10:00:00Z', 4)).toEqual([
      '2027-01-05T10:02:00.000Z',
      '2027-01-05T10:03:00.000Z',
      '2027-01-05T10:04:00.000Z',
      '2027-01-05T10:06:00.000Z',
    ]);
  });
  it('day names and a wrapping range: fri-mon after a Tuesday', () => {
    // 2027-01-05 is a Tuesday
    expect(firings({ minute: 0, hour: 9, dayOfWeek: 'fri-mon' }, '2027-01-05T12:00:00Z', 4)).toEqual([
      '2027-01-08T09:00:00.000Z',
      '2027-01-09T09:00:00.000Z',
      '2027-01-10T09:00:00.000Z',
      '2027-01-11T09:00:00.000Z',
    ]);
  });
  it('Sunday as 0 and as 7', () => {
    expect(next({ minute: 0, hour: 0, dayOfWeek: 0 }, '2027-01-05T00:00:00Z')).toBe('2027-01-10T00:00:00.000Z');
    expect(next({ minute: 0, hour: 0, dayOfWeek: '7' }, '2027-01-05T00:00:00Z')).toBe('2027-01-10T00:00:00.000Z');
  });
  it('month names and a wrapping month range', () => {
    expect(firings({ minute: 0, hour: 0, dayOfMonth: 1, monthOfYear: 'nov-feb' }, '2027-02-15T00:00:00Z', 3)).toEqual([
      '2027-11-01T00:00:00.000Z',
      '2027-12-01T00:00:00.000Z',
      '2028-01-01T00:00:00.000Z',
    ]);
  });
  it('a set and an array', () => {
    expect(firings({ minute: new Set([0, 30]), hour: [9, 17] }, '2027-01-05T09:30:00Z', 3)).toEqual([
      '2027-01-05T17:00:00.000Z',
      '2027-01-05T17:30:00.000Z',
      '2027-01-06T09:00:00.000Z',
    ]);
  });
  it('day of month 31 skips the shorter months; February 29 waits for a leap year', () => {
    expect(firings({ minute: 0, hour: 0, dayOfMonth: 31 }, '2027-01-31T00:00:00Z', 2)).toEqual(['2027-03-31T00:00:00.000Z', '2027-05-31T00:00:00.000Z']);
    expect(next('0 0 29 2 *', '2027-01-01T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
  });
  it('rolls over the year', () => {
    expect(next({ minute: 59, hour: 23, dayOfMonth: 31, monthOfYear: 12 }, '2027-12-31T23:59:00Z')).toBe('2028-12-31T23:59:00.000Z');
  });
});

describe('crontab: every field must match (day of month AND day of week)', () => {
  it('Friday the 13th, not every Friday and every 13th', () => {
    // 2027-01-01 is a Friday; Vixie cron's OR would fire on 2027-01-08
    expect(next({ minute: 0, hour: 0, dayOfMonth: 13, dayOfWeek: 'fri' }, '2027-01-01T00:00:00Z')).toBe('2027-08-13T00:00:00.000Z');
  });
  it('February 29 on a Monday: 2044', () => {
    expect(next('0 0 29 2 mon', '2027-01-01T00:00:00Z')).toBe('2044-02-29T00:00:00.000Z');
  });
  it('a day of month that never happens in the months given is a ConfigError', () => {
    expect(() => crontab({ dayOfMonth: 30, monthOfYear: 2 })).toThrow(ConfigError);
    expect(() => crontab({ dayOfMonth: 31, monthOfYear: 'apr,jun,sep,nov' })).toThrow(/never happens/);
  });
});

describe('crontab string form (minute hour dayOfMonth monthOfYear dayOfWeek)', () => {
  it('reads the five fields in Vixie order', () => {
    const s = crontab('*/15 9-17 1 * mon-fri');
    expect(s.fields).toEqual({ minute: '*/15', hour: '9-17', dayOfWeek: 'mon-fri', dayOfMonth: '1', monthOfYear: '*' });
    expect(s.values.dayOfWeek).toEqual([1, 2, 3, 4, 5]);
  });
  it('rejects another number of fields, naming the count', () => {
    expect(() => crontab('0 4 * *')).toThrow(/has 4 fields; a crontab string has five/);
  });
  it('names the field and token of a bad field', () => {
    expect(() => crontab('0 25 * * *')).toThrow(/crontab hour: 25 is out of range 0-23 in "25"/);
  });
});

describe('crontab DST (wall-clock fields in the zone)', () => {
  const NY = 'America/New_York';
  const LONDON = 'Europe/London';

  it('New York spring gap: 02:30 fires at 03:00 EDT, the first instant after the gap', () => {
    expect(firings('30 2 * * *', '2027-03-13T12:00:00Z', 2, NY)).toEqual(['2027-03-14T07:00:00.000Z', '2027-03-15T06:30:00.000Z']);
  });
  it('New York spring gap: the gap minutes of */15 collapse into one firing', () => {
    expect(firings('*/15 * * * *', '2027-03-14T06:45:00Z', 2, NY)).toEqual(['2027-03-14T07:00:00.000Z', '2027-03-14T07:15:00.000Z']);
  });
  it('New York autumn fold: 01:30 fires once, at the first (EDT) occurrence', () => {
    expect(firings('30 1 * * *', '2027-11-06T12:00:00Z', 2, NY)).toEqual(['2027-11-07T05:30:00.000Z', '2027-11-08T06:30:00.000Z']);
    expect(next('30 1 * * *', '2027-11-07T06:00:00Z', NY)).toBe('2027-11-08T06:30:00.000Z');
  });
  it('New York autumn fold: */30 does not repeat the hour', () => {
    expect(firings('*/30 * * * *', '2027-11-07T05:00:00Z', 2, NY)).toEqual(['2027-11-07T05:30:00.000Z', '2027-11-07T07:00:00.000Z']);
  });
  it('London spring gap: 01:30 fires at 02:00 BST', () => {
    expect(firings('30 1 * * *', '2027-03-27T12:00:00Z', 2, LONDON)).toEqual(['2027-03-28T01:00:00.000Z', '2027-03-29T00:30:00.000Z']);
  });
  it('London autumn fold: 01:30 fires once, at the BST occurrence', () => {
    expect(firings('30 1 * * *', '2027-10-30T12:00:00Z', 2, LONDON)).toEqual(['2027-10-31T00:30:00.000Z', '2027-11-01T01:30:00.000Z']);
  });
  it('fields are wall-clock: 04:00 London is 03:00Z in summer, 04:00Z in winter', () => {
    expect(next('0 4 * * *', '2027-07-01T00:00:00Z', LONDON)).toBe('2027-07-01T03:00:00.000Z');
    expect(next('0 4 * * *', '2027-01-01T00:00:00Z', LONDON)).toBe('2027-01-01T04:00:00.000Z');
  });
  it('an unknown zone is a ConfigError', () => {
    expect(() => crontab('0 4 * * *', { timezone: 'Mars/Olympus' })).toThrow(/unknown time zone "Mars\/Olympus"/);
  });
  it('withDefaultTimezone applies the app zone unless the schedule names its own', () => {
    const plain = withDefaultTimezone(crontab('0 4 * * *'), LONDON);
    expect(plain.nextAfter(at('2027-07-01T00:00:00Z')).toISOString()).toBe('2027-07-01T03:00:00.000Z');
    const own = withDefaultTimezone(crontab('0 4 * * *', { timezone: NY }), LONDON);
    expect(own.nextAfter(at('2027-07-01T00:00:00Z')).toISOString()).toBe('2027-07-01T08:00:00.000Z');
  });
});

describe('crontab isDue (Celery is_due)', () => {
  const daily = crontab({ minute: 0, hour: 4 });
  it('not due before the next firing after the last run; checks again at it', () => {
    expect(daily.isDue(at('2027-01-01T04:00:00Z'), at('2027-01-01T10:00:00Z'))).toEqual({ due: false, nextInMs: 18 * 3600_000 });
  });
  it('due at or after it; the next check is the firing after now', () => {
    expect(daily.isDue(at('2027-01-01T04:00:00Z'), at('2027-01-02T04:00:00Z'))).toEqual({ due: true, nextInMs: 24 * 3600_000 });
    expect(daily.isDue(at('2027-01-01T04:00:00Z'), at('2027-01-02T04:00:05Z'))).toEqual({ due: true, nextInMs: 24 * 3600_000 - 5000 });
  });
  it('several missed firings make it due once (catch-up runs once)', () => {
    expect(daily.isDue(at('2027-01-01T04:00:00Z'), at('2027-01-05T12:00:00Z'))).toEqual({ due: true, nextInMs: 16 * 3600_000 });
  });
});

describe('crontab toJSON / describe', () => {
  it('describes as Celery does', () => {
    expect(crontab({ minute: 0, hour: 4 }).describe()).toBe('<crontab: 0 4 * * * (m/h/d/dM/MY)>');
    expect(crontab('0 4 * * mon', { timezone: 'Europe/London' }).describe()).toBe('<crontab: 0 4 mon * * (m/h/d/dM/MY) Europe/London>');
  });
  it('round-trips through scheduleFromJSON', () => {
    const s = crontab({ minute: '*/5', hour: [9, 17], dayOfWeek: 'mon-fri' }, { timezone: 'America/New_York' });
    const json = JSON.parse(JSON.stringify(s.toJSON())) as ReturnType<typeof s.toJSON>;
    expect(json).toEqual({ kind: 'crontab', minute: '*/5', hour: '9,17', dayOfWeek: 'mon-fri', dayOfMonth: '*', monthOfYear: '*', timezone: 'America/New_York' });
    const back = scheduleFromJSON(json);
    expect(back.toJSON()).toEqual(json);
    expect(back.nextAfter(at('2027-01-05T15:00:00Z'))).toEqual(s.nextAfter(at('2027-01-05T15:00:00Z')));
  });
  it('leaves timezone out when it follows the app', () => {
    expect(crontab('0 4 * * *').toJSON()).not.toHaveProperty('timezone');
  });
});
