/**
 * The 300 crontab cases Python Celery 5.2.6 answered (`../shared/spec/beat/`, copied in tools/test-services): the
 * first firing strictly after `after`, fields read in the case's zone.
 */
import { readBeatAnswers } from '@q/test-services';
import type { CronAnswer } from '@q/test-services';
import { describe, expect, it } from 'vitest';
import { crontab } from './crontab.js';

const cases = readBeatAnswers().cases.filter((c): c is CronAnswer => c.kind === 'cron');

describe('crontab against Celery 5.2.6 answers', () => {
  it('has the 300 cron cases', () => {
    expect(cases).toHaveLength(300);
  });

  it.each(cases.map((c, i) => [i, c] as const))('case %i', (_, c) => {
    const schedule = crontab(c.spec, { timezone: c.tz });
    expect(schedule.nextAfter(new Date(c.after)).toISOString()).toBe(new Date(c.expect).toISOString());
  });
});
