/**
 * The app of the highly available beat test (e2e/test/beat-ha.integration.test.ts), run by the real CLI, three at
 * a time:
 *
 *   q -A e2e/apps/beat-ha-app.ts -b redis://127.0.0.1:<port>/0 beat --store <url> --lock <url> --max-interval 5
 *
 * One entry, every second: `tasks.tick` to the default queue. Each message a process publishes
 * is recorded as `<pid> <epoch ms> <task id>` on a line of the file `Q_BEAT_HA_LOG`, so the test sees which process
 * sent which run.
 */
import { appendFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createApp, type Plugin } from '@q/core';

const sentLog = process.env['Q_BEAT_HA_LOG'];

const recordSends: Plugin = {
  name: 'beat-ha-record-sends',
  setup(api) {
    api.hook('afterPublish', (info) => {
      if (sentLog !== undefined) appendFileSync(sentLog, `${process.pid} ${Date.now()} ${info.taskId}\n`);
    });
  },
};

export const app = createApp({
  name: 'beat-ha',
  backend: null,
  // The store and lock packages (@q/backend-redis, @q/backend-pg) are e2e's dependencies: resolve schemes from there.
  resolveFrom: fileURLToPath(new URL('..', import.meta.url)),
  plugins: [recordSends],
  beat: { schedule: { tick: { task: 'tasks.tick', schedule: 1 } } },
});
