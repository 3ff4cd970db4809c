/**
 * The reference answers of Python Celery 5.2.6 for crontab and solar schedules (the project spec's
 * `shared/spec/beat/celery-schedule-answers.json`), copied verbatim into `tools/test-services/beat/` as the vectors
 * are (see `vectors.ts`); `.ci/run` fails when the copy and a `../shared/spec/beat/` beside the checkout differ.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** A crontab case: the first firing instant strictly after `after`, wall-clock fields in `tz`. */
export interface CronAnswer {
  readonly kind: 'cron';
  readonly spec: {
    readonly minute: string;
    readonly hour: string;
    readonly dayOfWeek: string;
    readonly dayOfMonth: string;
    readonly monthOfYear: string;
  };
  readonly tz: string;
  /** UTC ISO instant. */
  readonly after: string;
  /** UTC ISO instant Celery computes. */
  readonly expect: string;
}

/** A solar case: the first `event` strictly after `after` at latitude `lat`, longitude `lon`. */
export interface SolarAnswer {
  readonly kind: 'solar';
  /** Celery's event name (`sunrise`, `dusk_civil`, …). */
  readonly event: string;
  readonly lat: number;
  readonly lon: number;
  /** UTC ISO instant. */
  readonly after: string;
  /** UTC ISO instant Celery computes. */
  readonly expect: string;
}

/** The answers file. */
export interface BeatAnswers {
  readonly about: string;
  readonly cases: readonly (CronAnswer | SolarAnswer)[];
}

/** Absolute path of the beat answers folder, ending in `/`. */
export const BEAT_ANSWERS_DIR = fileURLToPath(new URL('../beat/', import.meta.url));

/** Parsed `celery-schedule-answers.json`. */
export function readBeatAnswers(): BeatAnswers {
  return JSON.parse(readFileSync(`${BEAT_ANSWERS_DIR}celery-schedule-answers.json`, 'utf8')) as BeatAnswers;
}
