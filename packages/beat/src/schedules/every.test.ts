import { ConfigError } from '@q/core';
import { describe, expect, it } from 'vitest';
import { every } from './every.js';
import { scheduleFromJSON } from './schedule-json.js';
import { withDefaultTimezone } from './zoned-schedule.js';

const at = (iso: string): Date => new Date(iso);

describe('every (Celery schedule)', () => {
  it('takes seconds or timedelta-like parts that add up', () => {
    expect(every(30).runEveryMs).toBe(30_000);
    expect(every(0.5).runEveryMs).toBe(500);
    expect(every({ days: 1, hours: 2, minutes: 3, seconds: 4, milliseconds: 5 }).runEveryMs).toBe(86_400_000 + 7_200_000 + 180_000 + 4_000 + 5);
  });

  it('rejects a zero, negative or non-finite interval and unknown parts', () => {
    expect(() => every(0)).toThrow(ConfigError);
    expect(() => every(-5)).toThrow(/positive duration/);
    expect(() => every(Number.NaN)).toThrow(ConfigError);
    expect(() => every({ weeks: 1 } as never)).toThrow(/unknown part "weeks"/);
  });

  it('isDue: remaining = lastRunAt + interval - now; not due → check again when it ends', () => {
    expect(every(30).isDue(at('2027-01-01T00:00:00Z'), at('2027-01-01T00:00:10Z'))).toEqual({ due: false, nextInMs: 20_000 });
  });

  it('isDue: due at or after the end → check again in one interval', () => {
    expect(every(30).isDue(at('2027-01-01T00:00:00Z'), at('2027-01-01T00:00:30Z'))).toEqual({ due: true, nextInMs: 30_000 });
    expect(every(30).isDue(at('2027-01-01T00:00:00Z'), at('2027-01-01T05:00:00Z'))).toEqual({ due: true, nextInMs: 30_000 });
  });

  it('nextAfter is the input plus the interval', () => {
    expect(every({ minutes: 5 }).nextAfter(at('2027-01-01T10:02:03.456Z')).toISOString()).toBe('2027-01-01T10:07:03.456Z');
  });

  it('relative rounds down to the resolution: hours, minutes, days, seconds', () => {
    expect(every({ hours: 1 }, { relative: true }).nextAfter(at('2027-01-01T10:42:10Z')).toISOString()).toBe('2027-01-01T11:00:00.000Z');
    expect(every({ minutes: 5 }, { relative: true }).nextAfter(at('2027-01-01T10:42:10Z')).toISOString()).toBe('2027-01-01T10:47:00.000Z');
    expect(every({ days: 1 }, { relative: true }).nextAfter(at('2027-01-01T10:42:10Z')).toISOString()).toBe('2027-01-02T00:00:00.000Z');
    expect(every(30, { relative: true }).nextAfter(at('2027-01-01T10:42:10.750Z')).toISOString()).toBe('2027-01-01T10:42:40.000Z');
  });

  it('relative days round to midnight in the zone (the app timezone by default)', () => {
    const london = withDefaultTimezone(every({ days: 1 }, { relative: true }), 'Europe/London');
    expect(london.nextAfter(at('2027-07-01T10:00:00Z')).toISOString()).toBe('2027-07-01T23:00:00.000Z');
    const kolkata = every({ hours: 1 }, { relative: true, timezone: 'Asia/Kolkata' });
    expect(kolkata.nextAfter(at('2027-01-01T10:42:00Z')).toISOString()).toBe('2027-01-01T11:30:00.000Z');
  });

  it('toJSON / scheduleFromJSON / describe', () => {
    const s = every({ minutes: 1, seconds: 30 }, { relative: true });
    expect(s.toJSON()).toEqual({ kind: 'every', seconds: 90, relative: true });
    expect(scheduleFromJSON(s.toJSON()).toJSON()).toEqual(s.toJSON());
    expect(every(30).describe()).toBe('<freq: 30.00 seconds>');
    expect(every(60).describe()).toBe('<freq: 1.00 minute>');
    expect(every({ hours: 2, minutes: 30 }).describe()).toBe('<freq: 2.50 hours>');
    expect(s.describe()).toBe('<freq: 1.50 minutes, relative>');
  });
});

describe('scheduleFromJSON', () => {
  it('lists the known kinds for an unknown one, plugin kinds included', () => {
    expect(() => scheduleFromJSON({ kind: 'lunar' }, [{ kind: 'tidal', fromJSON: () => every(1) }])).toThrow(
      /unknown kind "lunar" \(known: every, crontab.*tidal\)/,
    );
  });
  it('reads a plugin kind through its registration', () => {
    const s = scheduleFromJSON({ kind: 'tidal', hours: 2 }, [{ kind: 'tidal', fromJSON: (j) => every({ hours: j['hours'] as number }) }]);
    expect(s.describe()).toBe('<freq: 2.00 hours>');
  });
  it('rejects a malformed stored form with a ConfigError', () => {
    expect(() => scheduleFromJSON({ kind: 'every', seconds: '30' })).toThrow(/every seconds: expected a number/);
    expect(() => scheduleFromJSON({ kind: 'crontab', minute: {} })).toThrow(/crontab minute/);
  });
});
