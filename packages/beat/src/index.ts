/**
 * `@q/beat`: periodic tasks (Celery beat).
 */
export {};
export { solar, SolarSchedule, solarFromJSON, solarRegistration } from './schedules/solar/solar.js';
export type { SolarScheduleJson } from './schedules/solar/solar.js';
export { SOLAR_EVENT_NAMES } from './schedules/solar/solar-events.js';
export type { SolarEvent } from './schedules/solar/solar-events.js';
