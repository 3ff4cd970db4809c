/**
 * `@q/testing/vitest`: vitest fixtures giving what Celery's pytest fixtures give — `qConfig` (`celery_config`),
 * `qApp` (`celery_app`), `qWorkerOptions` (`celery_worker_parameters`) and `qWorker` (`celery_worker`).
 *
 * ```ts
 * import { qTest as test } from '@q/testing/vitest';
 *
 * test('adds', async ({ qApp, qWorker }) => {
 *   const add = qApp.task('add', (x: number, y: number) => x + y);
 *   expect(await (await add.delay(2, 2)).get({ timeout: 5 })).toBe(4);
 * });
 * ```
 */
import type { App } from '@q/core';
import type { Worker } from '@q/worker';
import { test } from 'vitest';
import { createTestApp } from './test-app.js';
import type { TestAppOptions } from './test-app.js';
import { startTestWorker } from './test-worker.js';
import type { TestWorkerOptions } from './test-worker.js';

export type { TestAppOptions } from './test-app.js';
export type { TestWorkerOptions } from './test-worker.js';

/** The fixtures of {@link qTest}. */
export interface QFixtures {
  /**
   * The options `qApp` is created with (`createTestApp`'s; default `{}`). Override them for a file with
   * `qTest.extend({ qConfig: {...} })`, for a `describe` block with `qTest.override({ qConfig: {...} })`.
   */
  qConfig: TestAppOptions;
  /** An app on the memory broker and backend of a fresh namespace, made from `qConfig`; closed after the test. */
  qApp: App;
  /** The options `qWorker` is started with (`startTestWorker`'s; default `{}`). Overridden as `qConfig` is. */
  qWorkerOptions: TestWorkerOptions;
  /**
   * A worker on `qApp`, started (and ready) only when the test asks for it, stopped after the test. Register the
   * tasks on `qApp` before sending them; a worker runs the tasks registered when a message arrives.
   */
  qWorker: Worker;
}

/**
 * vitest's `test` with the q fixtures ({@link QFixtures}). A test gets only the fixtures it names in its context:
 * `async ({ qApp }) => …` makes an app and no worker.
 */
export const qTest = test.extend<QFixtures>({
  // eslint-disable-next-line no-empty-pattern -- vitest reads the fixtures a fixture needs from this pattern
  qConfig: async ({}, use) => {
    await use({});
  },
  qApp: async ({ qConfig }, use) => {
    const app = createTestApp(qConfig);
    try {
      await use(app);
    } finally {
      await app.close();
    }
  },
  // eslint-disable-next-line no-empty-pattern -- as above
  qWorkerOptions: async ({}, use) => {
    await use({});
  },
  qWorker: async ({ qApp, qWorkerOptions }, use) => {
    const worker = await startTestWorker(qApp, qWorkerOptions);
    try {
      await use(worker);
    } finally {
      await worker.stop({ graceful: false });
    }
  },
});
