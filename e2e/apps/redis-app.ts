/**
 * The q side of the Redis interop tests, run by the real CLI:
 *
 *   q -A e2e/apps/redis-app.ts -b redis://127.0.0.1:6379/3 --result-backend redis://127.0.0.1:6379/3 worker
 *
 * It names no broker and imports no Redis adapter: `-b redis://` must resolve `@q/transport-redis` by scheme.
 * The ledger of `tasks.record` is `INTEROP_LEDGER` (default Redis db 4).
 */
import { createApp } from '@q/core';
import { interopLedger, registerInteropTasks } from './interop-tasks.js';

const ledger = interopLedger('q', process.env['INTEROP_LEDGER'] ?? 'redis://127.0.0.1:6379/4');

export const app = createApp({ name: 'redis-interop', plugins: [ledger.plugin] });

registerInteropTasks(app, ledger);
