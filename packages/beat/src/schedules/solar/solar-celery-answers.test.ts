import { readBeatAnswers, type SolarAnswer } from '@q/test-services';
import { describe, expect, it } from 'vitest';
import { solar } from './solar.js';

const cases = readBeatAnswers().cases.filter((c): c is SolarAnswer => c.kind === 'solar');

/** Celery's times are PyEphem's, ours suncalc's: they agree to seconds (3.6 s at most over these cases). */
const TOLERANCE_MS = 2 * 60_000;

describe('solar against Python Celery 5.2.6 (PyEphem)', () => {
  it('has the 150 solar cases', () => {
    expect(cases).toHaveLength(150);
  });

  it.each(cases.map((c) => [`${c.event} at ${c.lat},${c.lon} after ${c.after}`, c] as const))(
    '%s',
    (_, c) => {
      const next = solar(c.event, c.lat, c.lon).nextAfter(new Date(c.after));
      expect(Math.abs(next.getTime() - Date.parse(c.expect))).toBeLessThanOrEqual(TOLERANCE_MS);
    },
  );

  it('lands every case within 10 seconds of Celery', () => {
    const worst = Math.max(
      ...cases.map((c) =>
        Math.abs(solar(c.event, c.lat, c.lon).nextAfter(new Date(c.after)).getTime() - Date.parse(c.expect)),
      ),
    );
    expect(worst).toBeLessThan(10_000);
  });
});
