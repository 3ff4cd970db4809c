/**
 * The q side of the interop tests, run by the real CLI:
 *
 *   q -A e2e/apps/interop-app.ts -b redis://127.0.0.1:6379/3 --result-backend redis://127.0.0.1:6379/3 worker
 *   q -A e2e/apps/interop-app.ts -b amqp://guest:guest@127.0.0.1:5672/q-test-e2e-amqp --result-backend rpc:// worker
 *
 * It names no broker and imports no adapter: `-b` and `--result-backend` must resolve them by scheme.
 * The ledger of `tasks.record` is `INTEROP_LEDGER` (default Redis db 4); `INTEROP_QUEUE_MAX_PRIORITY` sets
 * `x-max-priority` on the queues it declares (Celery's `task_queue_max_priority`), as the Python app does;
 * `INTEROP_Q_CONFIG` adds `result` / `task` options (see interop-config.ts), as `INTEROP_CELERY_CONF` does in Python.
 */
import { createApp } from '@q/core';
import { interopConfig } from './interop-config.js';
import { interopLedger, registerInteropTasks } from './interop-tasks.js';

const ledger = interopLedger('q', process.env['INTEROP_LEDGER'] ?? 'redis://127.0.0.1:6379/4');

export const app = createApp({ name: 'interop', plugins: [ledger.plugin], ...interopConfig() });

registerInteropTasks(app, ledger);
