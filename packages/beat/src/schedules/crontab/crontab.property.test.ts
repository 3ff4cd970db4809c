/**
 * Properties of crontab nextAfter on random fields, zones and instants (weighted towards DST transitions), checked
 * against luxon's offsets and a brute-force minute scan written here, independent of the field-by-field search.
 */
import fc from 'fast-check';
import { IANAZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import { crontab } from './crontab.js';
import type { CrontabFields } from './crontab.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const ZONES = ['UTC', 'Europe/London', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata', 'America/St_Johns', 'Australia/Lord_Howe'];
/** Instants near DST transitions of the zones above (2027), where folds and gaps happen. */
const TRANSITIONS = [
  '2027-03-14T07:00:00Z', '2027-11-07T06:00:00Z', '2027-03-28T01:00:00Z', '2027-10-31T01:00:00Z',
  '2027-04-03T16:00:00Z', '2027-10-02T16:00:00Z', '2027-03-14T05:30:00Z', '2027-11-07T04:30:00Z',
  '2027-04-03T15:00:00Z', '2027-10-02T15:30:00Z',
].map((iso) => Date.parse(iso));

interface Wall {
  minute: number;
  hour: number;
  dow: number;
  dom: number;
  month: number;
}

function wallOf(zone: IANAZone, t: number): Wall {
  const d = new Date(t + zone.offset(t) * MINUTE);
  return { minute: d.getUTCMinutes(), hour: d.getUTCHours(), dow: d.getUTCDay(), dom: d.getUTCDate(), month: d.getUTCMonth() + 1 };
}

const subset = (min: number, max: number, maxLength: number) =>
  fc.uniqueArray(fc.integer({ min, max }), { minLength: 1, maxLength });

const fieldsArb = fc.record({
  minute: subset(0, 59, 6),
  hour: fc.oneof(subset(0, 23, 8), fc.constant('*')),
  dayOfWeek: fc.oneof(subset(0, 6, 7), fc.constant('*')),
  dayOfMonth: fc.oneof(fc.constant('*'), subset(1, 31, 10)),
  monthOfYear: fc.oneof(fc.constant('*'), fc.constant('*'), subset(1, 12, 6)),
});

const MAX_DAYS = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** Fields some date matches (crontab() rejects the others, e.g. the 30th of February). */
const possible = (f: { dayOfMonth: number[] | string; monthOfYear: number[] | string }): boolean =>
  f.dayOfMonth === '*' || f.monthOfYear === '*' ||
  (f.monthOfYear as number[]).some((m) => (f.dayOfMonth as number[]).some((d) => d <= (MAX_DAYS[m] ?? 0)));

const instantArb = fc.oneof(
  fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2031-01-01T00:00:00Z') }),
  fc.tuple(fc.constantFrom(...TRANSITIONS), fc.integer({ min: -3 * HOUR, max: 3 * HOUR })).map(([t, d]) => t + d),
);

function allowed(spec: number[] | string, value: number): boolean {
  return spec === '*' || (spec as number[]).includes(value);
}

function matches(fields: Record<keyof CrontabFields, number[] | string>, w: Wall): boolean {
  return (
    allowed(fields.minute, w.minute) && allowed(fields.hour, w.hour) && allowed(fields.dayOfWeek, w.dow) &&
    allowed(fields.dayOfMonth, w.dom) && allowed(fields.monthOfYear, w.month)
  );
}

const same = (a: Wall, b: Wall): boolean =>
  a.minute === b.minute && a.hour === b.hour && a.dom === b.dom && a.month === b.month;

/** A matching minute that is the second occurrence of a wall time (a fold): the schedule fires only the first. */
function isFoldRepeat(zone: IANAZone, t: number): boolean {
  const now = zone.offset(t);
  const before = zone.offset(t - 3 * HOUR);
  return before > now && same(wallOf(zone, t - (before - now) * MINUTE), wallOf(zone, t));
}

/** `t` is the first instant after a DST gap (the offset grows there). */
function isGapEnd(zone: IANAZone, t: number): boolean {
  return zone.offset(t - 1) < zone.offset(t);
}

describe('crontab nextAfter properties', () => {
  it('is strictly after the input, matches every field in the zone (or ends a gap), and skips no matching minute', () => {
    fc.assert(
      fc.property(fieldsArb.filter(possible), fc.constantFrom(...ZONES), instantArb, (fields, tz, after) => {
        const zone = IANAZone.create(tz);
        const result = crontab(fields, { timezone: tz }).nextAfter(new Date(after)).getTime();
        expect(result).toBeGreaterThan(after);
        expect(result % MINUTE).toBe(0);
        if (!matches(fields, wallOf(zone, result))) expect(isGapEnd(zone, result)).toBe(true);
        const scanEnd = Math.min(result, after + DAY);
        for (let t = Math.floor(after / MINUTE) * MINUTE + MINUTE; t < scanEnd; t += MINUTE) {
          if (matches(fields, wallOf(zone, t))) expect(isFoldRepeat(zone, t), new Date(t).toISOString()).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('is monotonic: a later input never gives an earlier firing; iterating strictly increases', () => {
    fc.assert(
      fc.property(fieldsArb.filter(possible), fc.constantFrom(...ZONES), instantArb, fc.integer({ min: 0, max: 40 * DAY }), (fields, tz, a, gap) => {
        const s = crontab(fields, { timezone: tz });
        expect(s.nextAfter(new Date(a + gap)).getTime()).toBeGreaterThanOrEqual(s.nextAfter(new Date(a)).getTime());
        let t = a;
        for (let i = 0; i < 5; i++) {
          const n = s.nextAfter(new Date(t)).getTime();
          expect(n).toBeGreaterThan(t);
          t = n;
        }
      }),
      { numRuns: 200 },
    );
  });
});
