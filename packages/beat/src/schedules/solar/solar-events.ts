/**
 * The nine solar events of Celery's `solar` schedule, and how each maps onto suncalc.
 *
 * Celery asks PyEphem for the next rising/setting/transit of the Sun with an observer at elevation 0 and pressure 0
 * (no refraction model), at a per-event horizon, measured at the Sun's centre or its upper limb. suncalc gives
 * the geometric altitude of the Sun's **centre** (no refraction either), so Celery's upper-limb horizon of −0°34′
 * for sunrise and sunset is the centre at −0°34′ − 16′ (the Sun's semidiameter) ≈ −0.833°, suncalc's own
 * `sunrise`/`sunset` row. Every horizon Celery uses is one of suncalc's built-in rows, so nothing is added to
 * suncalc's global `times` table.
 */
import { ConfigError } from '@q/core';
import type { SunTimeName } from 'suncalc';

/** A solar event, by Celery's name. */
export type SolarEvent =
  | 'dawn_astronomical'
  | 'dawn_nautical'
  | 'dawn_civil'
  | 'sunrise'
  | 'solar_noon'
  | 'sunset'
  | 'dusk_civil'
  | 'dusk_nautical'
  | 'dusk_astronomical';

/** How one event is computed. */
export interface SolarEventRule {
  /** Which crossing it is (Celery's `next_rising`, `next_transit`, `next_setting`). */
  readonly method: 'rising' | 'transit' | 'setting';
  /** The field of suncalc's `getTimes()` that holds it. */
  readonly suncalcTime: SunTimeName | 'solarNoon';
  /** Celery's horizon, in degrees (upper limb for sunrise and sunset, the centre otherwise). */
  readonly horizonDegrees: number;
  /** Whether Celery measures the horizon at the Sun's centre (else its upper limb). */
  readonly useCentre: boolean;
}

/**
 * Celery 5.2.6's table (`celery.schedules.solar`), with one fix: `dusk_astronomical` is at −18°, where Celery
 * writes `'18'` (+18°), a sign bug that makes it fire in the afternoon.
 */
export const SOLAR_EVENTS: Readonly<Record<SolarEvent, SolarEventRule>> = Object.freeze({
  dawn_astronomical: { method: 'rising', suncalcTime: 'nightEnd', horizonDegrees: -18, useCentre: true },
  dawn_nautical: { method: 'rising', suncalcTime: 'nauticalDawn', horizonDegrees: -12, useCentre: true },
  dawn_civil: { method: 'rising', suncalcTime: 'dawn', horizonDegrees: -6, useCentre: true },
  sunrise: { method: 'rising', suncalcTime: 'sunrise', horizonDegrees: -34 / 60, useCentre: false },
  solar_noon: { method: 'transit', suncalcTime: 'solarNoon', horizonDegrees: 0, useCentre: false },
  sunset: { method: 'setting', suncalcTime: 'sunset', horizonDegrees: -34 / 60, useCentre: false },
  dusk_civil: { method: 'setting', suncalcTime: 'dusk', horizonDegrees: -6, useCentre: true },
  dusk_nautical: { method: 'setting', suncalcTime: 'nauticalDusk', horizonDegrees: -12, useCentre: true },
  dusk_astronomical: { method: 'setting', suncalcTime: 'night', horizonDegrees: -18, useCentre: true },
});

/** Celery's event names, in the order of the day. */
export const SOLAR_EVENT_NAMES = Object.freeze(Object.keys(SOLAR_EVENTS) as SolarEvent[]);

function camelCase(name: string): string {
  return name.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

const BY_NAME: ReadonlyMap<string, SolarEvent> = new Map(
  SOLAR_EVENT_NAMES.flatMap((event) => [
    [event, event],
    [camelCase(event), event],
  ]),
);

/**
 * Celery's name of an event given by Celery's name (`dusk_civil`) or its camelCase alias (`duskCivil`).
 * @throws ConfigError naming the value and the known events when it is neither
 */
export function solarEvent(name: unknown): SolarEvent {
  const event = typeof name === 'string' ? BY_NAME.get(name) : undefined;
  if (event === undefined) {
    throw new ConfigError(
      'Q_ERR_CONFIG_INVALID',
      `solar: unknown event ${JSON.stringify(name)}; known events: ${SOLAR_EVENT_NAMES.join(', ')} ` +
        '(or their camelCase forms, e.g. duskCivil)',
    );
  }
  return event;
}
