import { ConfigError } from '@q/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scheduleFromJSON } from '../schedule-json.js';
import { SOLAR_EVENT_NAMES } from './solar-events.js';
import { solar, SolarSchedule, solarFromJSON, solarRegistration } from './solar.js';

const LONDON = [51.5, -0.13] as const;
const HOUR = 3_600_000;

describe('solar(): arguments', () => {
  it('rejects an unknown event, naming it and the known events', () => {
    const thrown = (() => {
      try {
        solar('sunup', ...LONDON);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).code).toBe('Q_ERR_CONFIG_INVALID');
    expect((thrown as Error).message).toContain('"sunup"');
    for (const event of SOLAR_EVENT_NAMES) expect((thrown as Error).message).toContain(event);
  });

  it.each([
    [90.01, 0],
    [-91, 0],
    [Number.NaN, 0],
    [0, 180.5],
    [0, -181],
    [0, Number.POSITIVE_INFINITY],
  ])('rejects latitude %s, longitude %s', (latitude, longitude) => {
    expect(() => solar('sunrise', latitude, longitude)).toThrow(ConfigError);
  });

  it('accepts the limits of both ranges', () => {
    expect(solar('solar_noon', 90, 180).toJSON()).toEqual({ kind: 'solar', event: 'solar_noon', latitude: 90, longitude: 180 });
    expect(solar('solar_noon', -90, -180).latitude).toBe(-90);
  });

  it('takes camelCase aliases and keeps Celery names', () => {
    const schedule = solar('duskAstronomical', ...LONDON);
    expect(schedule.event).toBe('dusk_astronomical');
    const after = new Date('2027-03-01T00:00:00Z');
    expect(schedule.nextAfter(after)).toEqual(solar('dusk_astronomical', ...LONDON).nextAfter(after));
  });
});

describe('solar: stored form and description', () => {
  it('round-trips through toJSON, JSON text and solarFromJSON', () => {
    const schedule = solar('dawn_nautical', -33.87, 151.21);
    const json = JSON.parse(JSON.stringify(schedule.toJSON())) as ReturnType<typeof schedule.toJSON>;
    expect(json).toEqual({ kind: 'solar', event: 'dawn_nautical', latitude: -33.87, longitude: 151.21 });
    const back = solarRegistration.fromJSON(json);
    expect(back.toJSON()).toEqual(json);
    const after = new Date('2028-08-08T08:08:08Z');
    expect(back.nextAfter(after)).toEqual(schedule.nextAfter(after));
  });

  it('is a built-in kind of scheduleFromJSON', () => {
    const json = { kind: 'solar', event: 'sunset', latitude: 40.71, longitude: -74.01 };
    const schedule = scheduleFromJSON(json);
    expect(schedule).toBeInstanceOf(SolarSchedule);
    expect(schedule.toJSON()).toEqual(json);
    expect(() => scheduleFromJSON({ ...json, event: 'moonrise' })).toThrow(/moonrise/);
  });

  it('rejects another kind or a missing field', () => {
    expect(solarRegistration.kind).toBe('solar');
    expect(() => solarFromJSON({ kind: 'crontab', event: 'sunrise', latitude: 0, longitude: 0 })).toThrow(ConfigError);
    expect(() => solarFromJSON({ kind: 'solar', event: 'sunrise', latitude: 0 })).toThrow(/longitude/);
    expect(() => solarFromJSON({ kind: 'solar', latitude: 0, longitude: 0 })).toThrow(/unknown event/);
  });

  it("describes itself as Celery's repr does", () => {
    expect(solar('sunset', ...LONDON).describe()).toBe('<solar: sunset at latitude 51.5, longitude: -0.13>');
  });
});

describe('solar: the events of a day', () => {
  it('come in the order of the day, dusk_astronomical last (−18°, not Celery 5.2.6’s +18°)', () => {
    const after = new Date('2027-03-10T00:00:00Z');
    const times = SOLAR_EVENT_NAMES.map((event) => solar(event, ...LONDON).nextAfter(after).getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times.at(-1)! - times[0]!).toBeLessThan(24 * HOUR);
    // at −18° dusk is well after sunset; Celery's +18° would put it in the afternoon, before sunset
    expect(times[8]! - times[5]!).toBeGreaterThan(HOUR);
  });

  it('cannot time a sunrise at the pole itself, and says so', () => {
    expect(() => solar('sunrise', 90, 0).nextAfter(new Date('2027-01-01T00:00:00Z'))).toThrow(ConfigError);
    const noon = solar('solar_noon', 90, 0).nextAfter(new Date('2027-01-01T00:00:00Z'));
    expect(noon.getTime()).toBeGreaterThan(Date.parse('2027-01-01T00:00:00Z'));
  });
});

describe('solar.isDue (Celery is_due)', () => {
  const sunrise = solar('sunrise', ...LONDON);
  const lastRunAt = new Date('2027-06-01T12:00:00Z');
  const next = sunrise.nextAfter(lastRunAt);

  it('is not due before the next event, and says how long until it', () => {
    const now = new Date(next.getTime() - 90_000);
    expect(sunrise.isDue(lastRunAt, now)).toEqual({ due: false, nextInMs: 90_000 });
  });

  it('is due at the event, then checks again at the following one', () => {
    const check = sunrise.isDue(lastRunAt, next);
    expect(check.due).toBe(true);
    expect(check.nextInMs).toBe(sunrise.nextAfter(next).getTime() - next.getTime());
    expect(check.nextInMs).toBeGreaterThan(23 * HOUR);
  });

  it('runs once for events missed while down, then waits for the next one after now', () => {
    const now = new Date('2027-06-05T06:00:00Z');
    const check = sunrise.isDue(lastRunAt, now);
    expect(check).toEqual({ due: true, nextInMs: sunrise.nextAfter(now).getTime() - now.getTime() });
    expect(sunrise.isDue(now, new Date(now.getTime() + 1000)).due).toBe(false);
  });
});

describe('solar.nextAfter (properties)', () => {
  const arbitrary = fc.record({
    event: fc.constantFrom(...SOLAR_EVENT_NAMES),
    latitude: fc.double({ min: -89, max: 89, noNaN: true }),
    longitude: fc.double({ min: -180, max: 180, noNaN: true }),
    at: fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }),
    later: fc.integer({ min: 1, max: 40 * 24 * HOUR }),
  });

  it('is strictly after its input, and never earlier for a later input', () => {
    fc.assert(
      fc.property(arbitrary, ({ event, latitude, longitude, at, later }) => {
        const schedule = solar(event, latitude, longitude);
        const first = schedule.nextAfter(at);
        expect(first.getTime()).toBeGreaterThan(at.getTime());
        const second = schedule.nextAfter(new Date(at.getTime() + later));
        expect(second.getTime()).toBeGreaterThanOrEqual(first.getTime());
        // nothing between the input and the answer: asking from just before it gives it again
        expect(schedule.nextAfter(new Date(first.getTime() - 1))).toEqual(first);
      }),
      { numRuns: 200 },
    );
  });

  it('gives a strictly increasing sequence when chained', () => {
    fc.assert(
      fc.property(arbitrary, ({ event, latitude, longitude, at }) => {
        const schedule = solar(event, latitude, longitude);
        let previous = at;
        for (let i = 0; i < 5; i += 1) {
          const next = schedule.nextAfter(previous);
          expect(next.getTime()).toBeGreaterThan(previous.getTime());
          previous = next;
        }
      }),
      { numRuns: 100 },
    );
  });
});
