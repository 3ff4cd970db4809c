/**
 * Celery's `solar(event, lat, lon)` schedule: runs at a solar event (dawn, sunrise, solar noon, sunset, dusk) at a
 * place on Earth, computed with suncalc.
 */
import type { DueCheck, Schedule, ScheduleJson, ScheduleRegistration } from '@q/core';
import { ConfigError } from '@q/core';
import { getTimes } from 'suncalc';
import { SOLAR_EVENTS, solarEvent, type SolarEvent } from './solar-events.js';

/** The stored form of a solar schedule. */
export interface SolarScheduleJson extends ScheduleJson {
  readonly kind: 'solar';
  /** Celery's event name (`sunrise`, `dusk_civil`, …). */
  readonly event: SolarEvent;
  /** Degrees north, −90 to 90. */
  readonly latitude: number;
  /** Degrees east, −180 to 180. */
  readonly longitude: number;
}

const DAY_MS = 86_400_000;

/**
 * How many days ahead {@link SolarSchedule.nextAfter} looks for an event that does not happen every day: polar
 * night lasts up to half a year, and near the poles a rise or set happens once a year.
 */
const MAX_DAYS_AHEAD = 3 * 366;

function coordinate(name: 'latitude' | 'longitude', value: unknown, limit: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < -limit || value > limit) {
    throw new ConfigError(
      'Q_ERR_CONFIG_INVALID',
      `solar: ${name} must be a number from ${-limit} to ${limit}, got ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`,
    );
  }
  return value;
}

/**
 * A solar schedule (Celery's `celery.schedules.solar`). Build it with {@link solar}.
 *
 * It fires at each occurrence of the event; on days the event does not happen (polar day or night, or a twilight
 * that never ends in a high-latitude summer) it waits for the next day that has it.
 */
export class SolarSchedule implements Schedule {
  /** Always `'solar'`. */
  readonly kind = 'solar';
  /** Celery's event name. */
  readonly event: SolarEvent;
  /** Degrees north. */
  readonly latitude: number;
  /** Degrees east. */
  readonly longitude: number;

  /**
   * @param event Celery's event name or its camelCase alias
   * @throws ConfigError on an unknown event or a coordinate out of range
   */
  constructor(event: string, latitude: number, longitude: number) {
    this.event = solarEvent(event);
    this.latitude = coordinate('latitude', latitude, 90);
    this.longitude = coordinate('longitude', longitude, 180);
  }

  /**
   * The instant of the event on the solar day of `ms` (suncalc's day), or `undefined` when it does not happen.
   * A rising must fall between that day's nadir and its noon, a setting between its noon and the next nadir:
   * when the Sun only grazes the horizon, suncalc's iteration can land outside (a "sunrise" in the afternoon of a
   * polar day), and such a time is no event.
   */
  private eventOn(ms: number): number | undefined {
    const rule = SOLAR_EVENTS[this.event];
    const times = getTimes(new Date(ms), this.latitude, this.longitude);
    const at = times[rule.suncalcTime]?.getTime();
    if (at === undefined || Number.isNaN(at)) return undefined;
    const noon = times.solarNoon.getTime();
    if (rule.method === 'rising' && (at < noon - DAY_MS / 2 || at > noon)) return undefined;
    if (rule.method === 'setting' && (at < noon || at > noon + DAY_MS / 2)) return undefined;
    return at;
  }

  /**
   * The first occurrence of the event strictly after `date`.
   * @throws ConfigError when suncalc finds no occurrence within three years (only at or within a few tenths of a
   *   degree of a pole, where the Sun's hour angle is ill-defined; `solar_noon` always has one)
   */
  nextAfter(date: Date): Date {
    const after = date.getTime();
    let best: number | undefined;
    // From the day before: suncalc's solar day of `date` may begin after it. Each day's event lies within its own
    // half-day (see eventOn), so the first one after `date` is the earliest.
    for (let day = -1; day <= MAX_DAYS_AHEAD && best === undefined; day += 1) {
      const at = this.eventOn(after + day * DAY_MS);
      if (at !== undefined && at > after) best = at;
    }
    if (best === undefined) {
      throw new ConfigError(
        'Q_ERR_CONFIG_INVALID',
        `solar: no ${this.event} within ${MAX_DAYS_AHEAD} days after ${date.toISOString()} at latitude ` +
          `${this.latitude}, longitude ${this.longitude} (suncalc cannot time rises and sets at or near the poles)`,
      );
    }
    return new Date(best);
  }

  /**
   * Celery's `solar.is_due`: due when the first event after `lastRunAt` is not after `now`; then the next check is
   * the first event after `now`, else that event.
   */
  isDue(lastRunAt: Date, now: Date): DueCheck {
    const remaining = this.nextAfter(lastRunAt).getTime() - now.getTime();
    if (remaining > 0) return { due: false, nextInMs: remaining };
    return { due: true, nextInMs: this.nextAfter(now).getTime() - now.getTime() };
  }

  /** `{ kind: 'solar', event, latitude, longitude }`. */
  toJSON(): SolarScheduleJson {
    return { kind: 'solar', event: this.event, latitude: this.latitude, longitude: this.longitude };
  }

  /** Celery's repr: `<solar: sunrise at latitude 51.5, longitude: -0.13>`. */
  describe(): string {
    return `<solar: ${this.event} at latitude ${this.latitude}, longitude: ${this.longitude}>`;
  }
}

/**
 * A schedule that runs at a solar event at a place (Celery's `solar(event, lat, lon)`).
 *
 * Events: `dawn_astronomical` (Sun's centre at −18°), `dawn_nautical` (−12°), `dawn_civil` (−6°), `sunrise` (upper
 * limb at −0°34′), `solar_noon`, `sunset`, `dusk_civil`, `dusk_nautical`, `dusk_astronomical` (−18°, where Celery
 * 5.2.6 has +18°), or their camelCase forms (`duskCivil`). Times come from suncalc and agree with Celery's
 * (PyEphem) to within seconds.
 *
 * ```ts
 * beat.add('lights-on', solar('sunset', 51.5, -0.13), 'home.lights_on');
 * ```
 * @param latitude degrees north, −90 to 90
 * @param longitude degrees east, −180 to 180
 * @throws ConfigError on an unknown event or a coordinate out of range
 */
export function solar(event: string, latitude: number, longitude: number): SolarSchedule {
  return new SolarSchedule(event, latitude, longitude);
}

/**
 * Reads a stored or configured solar schedule, `{ kind: 'solar', event, latitude, longitude }`.
 * @throws ConfigError when a field is missing or invalid
 */
export function solarFromJSON(json: ScheduleJson): SolarSchedule {
  if (json.kind !== 'solar') {
    throw new ConfigError('Q_ERR_CONFIG_INVALID', `solar: expected kind 'solar', got ${JSON.stringify(json.kind)}`);
  }
  return new SolarSchedule(json.event as string, json.latitude as number, json.longitude as number);
}

/** The `solar` kind, as `scheduleFromJSON` and `api.schedule()` take it. */
export const solarRegistration: ScheduleRegistration = Object.freeze({ kind: 'solar', fromJSON: solarFromJSON });
