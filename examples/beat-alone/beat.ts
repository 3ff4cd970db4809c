/**
 * A beat on its own: a process that sends periodic tasks and runs none, with `@q/core`, `@q/beat` and a transport
 * installed (no `@q/worker`). The workers that run the tasks are elsewhere: q or Python Celery workers on the same
 * broker.
 *
 *   BROKER_URL=redis://127.0.0.1:6379/0 npx tsx beat.ts
 *
 * SIGTERM or Ctrl-C stops it: the last run times are saved (BEAT_STORE, default ./celerybeat-schedule.json),
 * so a restart neither repeats nor forgets an entry.
 */
import { createApp } from '@q/core';
import { createBeat, crontab } from '@q/beat';

export const app = createApp({
  name: 'beat-alone',
  broker: process.env['BROKER_URL'] ?? 'redis://127.0.0.1:6379/0',
  backend: null, // a beat reads no results
  beat: {
    schedule: {
      // every 10 seconds (a number is seconds, as in Celery)
      'add-every-10s': { task: 'tasks.add', schedule: 10, args: [16, 16] },
      // Monday mornings at 7:30
      'weekly-report': { task: 'tasks.report', schedule: crontab({ minute: 30, hour: 7, dayOfWeek: 1 }), kwargs: { week: true } },
    },
  },
});

const beat = createBeat(app, { store: process.env['BEAT_STORE'] ?? 'celerybeat-schedule.json' });

const stop = async (): Promise<void> => {
  await beat.stop();
  await app.close();
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());

await beat.start();
console.log(`beat-alone: started (${beat.entries().length} entries)`);
