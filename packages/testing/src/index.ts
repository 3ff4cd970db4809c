/**
 * `@q/testing`: helpers for testing q apps (Celery's pytest fixtures `celery_app`, `celery_worker`, `celery_config`):
 * an app on the memory broker and backend, an in-process worker, waiting for a task's state without fixed sleeps,
 * and a logger that records its lines. vitest fixtures are in `@q/testing/vitest`.
 */
export { createTestApp, testNamespace } from './test-app.js';
export type { TestAppOptions } from './test-app.js';
export { startTestWorker, TEST_WORKER_DEFAULTS } from './test-worker.js';
export type { TestWorkerOptions } from './test-worker.js';
export { waitFor, DEFAULT_WAIT_MS } from './wait-for.js';
export type { WaitForOptions } from './wait-for.js';
export { waitForResult, waitForState } from './wait-for-state.js';
export type { ResultLike, WaitForStateOptions } from './wait-for-state.js';
export { recordingLogger } from './recording-logger.js';
export type { LineMatch, LogFn, RecordedLine, RecordingLogger } from './recording-logger.js';
export { refusingConnections } from './refusing-connections.js';
export type { Connectable, ConnectionStats } from './refusing-connections.js';
