/**
 * `@q/beat`: periodic tasks (Celery beat).
 */
export {};
export { every, everyFromJSON, EverySchedule } from './schedules/every.js';
export type { EveryOptions, EveryParts } from './schedules/every.js';
export { crontab, crontabFromJSON, CrontabSchedule } from './schedules/crontab/crontab.js';
export type { CrontabFields, CrontabOptions } from './schedules/crontab/crontab.js';
export type { CrontabField, CrontabFieldName } from './schedules/crontab/crontab-field.js';
export { scheduleFromJSON, BUILT_IN_SCHEDULES } from './schedules/schedule-json.js';
export { withDefaultTimezone } from './schedules/zoned-schedule.js';
export type { ZonedSchedule } from './schedules/zoned-schedule.js';
export { solar, SolarSchedule, solarFromJSON, solarRegistration } from './schedules/solar/solar.js';
export type { SolarScheduleJson } from './schedules/solar/solar.js';
export { SOLAR_EVENT_NAMES } from './schedules/solar/solar-events.js';
export type { SolarEvent } from './schedules/solar/solar-events.js';
export { Beat, createBeat } from './scheduler/beat.js';
export type { ScheduleChanges, ScheduleSource } from './scheduler/schedule-source.js';
export type { BeatApp } from './scheduler/beat.js';
export type { AddEntryOptions, BeatClock, BeatEntryView, BeatOptions } from './scheduler/beat-options.js';
export type { ScheduleInput, TaskInput } from './scheduler/entry-input.js';
export { BACKEND_CLEANUP } from './scheduler/backend-cleanup.js';
export { fileStore } from './store/file-store.js';
export type { FileStoreOptions } from './store/file-store.js';
export { localLock } from './store/local-lock.js';
export type { LocalLock } from './store/local-lock.js';
