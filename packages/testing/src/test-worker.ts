/**
 * An in-process worker for tests (Celery's `celery_worker` fixture): `@q/worker`'s worker on the test's app, started
 * and ready to consume. `@q/worker` is an optional peer dependency, loaded only when a worker is started.
 */
import { ConfigError, silentLogger } from '@q/core';
import type { App } from '@q/core';
import type * as WorkerPackage from '@q/worker';
import type { Worker, WorkerOptions } from '@q/worker';

/** Options of {@link startTestWorker}: every `createWorker` option. */
export type TestWorkerOptions = WorkerOptions<Worker>;

/**
 * What {@link startTestWorker} changes of `createWorker`'s defaults, as Celery's test worker (`start_worker`) does:
 * node name `worker@test`, the app left open when the worker stops (it is the test's), and no mingle, gossip or
 * heartbeat (nothing to wait for at start, no events the test did not ask for).
 */
export const TEST_WORKER_DEFAULTS = {
  hostname: 'worker@test',
  closeApp: false,
  mingle: false,
  gossip: false,
  heartbeat: false,
} as const satisfies TestWorkerOptions;

type WorkerModule = typeof WorkerPackage;

const NOT_FOUND = new Set(['ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND', 'ERR_LOAD_URL']);

/**
 * `@q/worker`, loaded by `load` (default: a dynamic import). When it is not installed, a `ConfigError`
 * (`Q_ERR_CONFIG_INVALID`) that says so and how to install it; any other failure is rethrown as it is.
 */
export async function importWorker(load: () => Promise<WorkerModule> = () => import('@q/worker')): Promise<WorkerModule> {
  try {
    return await load();
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const message = err instanceof Error ? err.message : String(err);
    const missing = (typeof code === 'string' && NOT_FOUND.has(code)) || /cannot find (package|module)|failed to (load|resolve)/i.test(message);
    if (missing && message.includes('@q/worker')) {
      throw new ConfigError(
        'Q_ERR_CONFIG_INVALID',
        'startTestWorker needs the package @q/worker, which is not installed: install it with `npm install --save-dev @q/worker`',
        { cause: err },
      );
    }
    throw err;
  }
}

/**
 * Starts a worker on `app` in this process and resolves once it is ready (consuming its queues). Stop it with
 * `worker.stop({ graceful: false })` (the `qWorker` fixture of `@q/testing/vitest` does).
 *
 * Defaults for tests ({@link TEST_WORKER_DEFAULTS}): node name `worker@test`; the app is not closed when the worker
 * stops (`closeApp: false`: the app is the test's); no mingle, gossip or heartbeat (pass them `true` to test them);
 * the app's logger, or nothing at all when the app has none (a worker would otherwise log to the console). Every
 * other option is `createWorker`'s.
 *
 * ```ts
 * const app = createTestApp();
 * const add = app.task('add', (x: number, y: number) => x + y);
 * const worker = await startTestWorker(app);
 * expect(await (await add.delay(2, 2)).get({ timeout: 5 })).toBe(4);
 * await worker.stop({ graceful: false });
 * ```
 */
export async function startTestWorker(app: App, options: TestWorkerOptions = {}): Promise<Worker> {
  const { createWorker } = await importWorker();
  const quiet = app.log === silentLogger ? { logger: silentLogger } : {};
  const worker = createWorker(app, { ...TEST_WORKER_DEFAULTS, ...quiet, ...options });
  try {
    await worker.start();
  } catch (err) {
    await worker.stop({ graceful: false }).catch(() => undefined);
    throw err;
  }
  return worker;
}
