/**
 * An app for tests (Celery's `celery_app` fixture): the memory broker and the memory result backend of a namespace
 * of its own, so that tests never share queues or results, and silent unless given a logger.
 */
import { randomUUID } from 'node:crypto';
import { createApp, memoryKeyValueDriver, memoryQueueDriver, silentLogger } from '@q/core';
import type { App, AppOptions } from '@q/core';

/** Options of {@link createTestApp}: every `createApp` option, and the memory namespace. */
export interface TestAppOptions extends AppOptions {
  /**
   * The memory broker's and backend's namespace (default: a fresh one, {@link testNamespace}). Apps given the same
   * namespace share queues and results, as a client and a worker process would share a broker.
   */
  namespace?: string;
}

/** A fresh namespace for the memory broker and backend: `<prefix>-<uuid>`. */
export function testNamespace(prefix = 'q-test'): string {
  return `${prefix}-${randomUUID()}`;
}

/**
 * An app named `test` (unless `name` is given) on the memory broker and memory backend of a fresh namespace (or of
 * `namespace`). `broker` and `backend` replace them when given (`backend: null` disables results). It logs nothing
 * unless `logger` is given (a {@link recordingLogger} to assert on logs). Close it with `app.close()` (the `qApp`
 * fixture of `@q/testing/vitest` does).
 *
 * ```ts
 * const app = createTestApp();
 * const add = app.task('add', (x: number, y: number) => x + y);
 * ```
 */
export function createTestApp(options: TestAppOptions = {}): App {
  const { namespace = testNamespace(), ...appOptions } = options;
  return createApp({
    name: 'test',
    logger: silentLogger,
    ...appOptions,
    broker: appOptions.broker ?? memoryQueueDriver({ namespace }),
    backend: appOptions.backend !== undefined ? appOptions.backend : memoryKeyValueDriver({ namespace }),
  });
}
