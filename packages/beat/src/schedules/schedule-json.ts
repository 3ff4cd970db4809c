/**
 * `scheduleFromJSON()`: a schedule's stored or configured form (`{ kind, … }`) back into a {@link Schedule}, for the
 * built-in kinds and the kinds plugins register (`api.schedule(registration)`).
 */
import { ConfigError } from '@q/core';
import type { Schedule, ScheduleJson, ScheduleRegistration } from '@q/core';
import { crontabFromJSON } from './crontab/crontab.js';
import { everyFromJSON } from './every.js';
import { solarRegistration } from './solar/solar.js';

/** The kinds `@q/beat` reads without a plugin. */
export const BUILT_IN_SCHEDULES: readonly ScheduleRegistration[] = [
  { kind: 'every', fromJSON: everyFromJSON },
  { kind: 'crontab', fromJSON: crontabFromJSON },
  solarRegistration,
];

/**
 * The schedule a stored form describes. Built-in kinds come first; `registrations` add plugin kinds.
 * @throws ConfigError when the kind is unknown (the message lists the known ones) or the form is invalid
 */
export function scheduleFromJSON(json: ScheduleJson, registrations: Iterable<ScheduleRegistration> = []): Schedule {
  if (typeof json !== 'object' || json === null || typeof json.kind !== 'string') {
    throw new ConfigError('Q_ERR_CONFIG_INVALID', 'schedule: expected an object with a string "kind"');
  }
  const known = [...BUILT_IN_SCHEDULES, ...registrations];
  const registration = known.find((r) => r.kind === json.kind);
  if (!registration) {
    throw new ConfigError('Q_ERR_CONFIG_INVALID', `schedule: unknown kind "${json.kind}" (known: ${known.map((r) => r.kind).join(', ')})`);
  }
  return registration.fromJSON(json);
}
