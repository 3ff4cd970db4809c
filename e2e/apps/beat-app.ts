/**
 * The q beat of the beat interop test (e2e/test/beat-interop.integration.test.ts), run by the real CLI:
 *
 *   q -A e2e/apps/beat-app.ts -b amqp://guest:guest@127.0.0.1:5672/q-test-e2e-beat beat -s <file>
 *
 * One entry, every second: `tasks.request_info(16, 16, tag='beat')` to the queue `beat-q`, expiring 10 s after it
 * is sent. A Python Celery worker runs it and records the message as it read it.
 */
import { createApp } from '@q/core';

export const app = createApp({
  name: 'beat-interop',
  backend: null,
  beat: {
    schedule: {
      'request-info-every-second': {
        task: 'tasks.request_info',
        schedule: 1,
        args: [16, 16],
        kwargs: { tag: 'beat' },
        options: { queue: 'beat-q', expires: 10 },
      },
    },
  },
});
