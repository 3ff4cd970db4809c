/**
 * `@q/backend-pg`: Celery's database result backend on PostgreSQL for q — the same tables and rows as Python
 * Celery's `db+postgresql://` backend (results pickled as Python does, by a small codec that refuses anything but
 * plain data), `get()` woken by LISTEN/NOTIFY, expired-result cleanup, chords by `celery.chord_unlock` or natively,
 * and transactional enqueue through an outbox.
 *
 * ```ts
 * import { createApp } from '@q/core';
 * import { pgBackend } from '@q/backend-pg';
 * const app = createApp({ backend: pgBackend('postgresql://app@127.0.0.1:5432/app') });
 * ```
 */
export { pgBackend, pgBackendCapabilities } from './pg-backend.js';
export type { PgBackend } from './pg-backend.js';
export { DEFAULT_PG_URL, DEFAULT_TABLE_NAMES } from './options.js';
export type { PgBackendOptions, PgTableNames, PgTableSchemas } from './options.js';
export { pgBackendOptionsFrom } from './options-from-config.js';
export { pgConnectionString } from './pg-url.js';
export type { CleanupReport } from './store/cleanup.js';
export { decodePickle, encodePickle, pickleTuple, PickleTuple, isPickleTuple } from './pickle/index.js';
export type { PickleEncodeOptions } from './pickle/index.js';
export { qPlugin, PG_BACKEND_SCHEMES } from './plugin.js';
export {
  DEFAULT_OUTBOX_SCHEMA,
  DEFAULT_OUTBOX_TABLE,
  OUTBOX_RELAY_STEP,
  ensureOutboxTable,
  outbox,
  outboxRelay,
  outboxRelayPlugin,
  outboxRelayStep,
  resolveOutboxTable,
  sendInTransaction,
} from './outbox/index.js';
export type {
  Outbox,
  OutboxApp,
  OutboxBatch,
  OutboxExecutor,
  OutboxRelay,
  OutboxRelayApp,
  OutboxRelayOptions,
  OutboxRelayWorkerHost,
  OutboxTableOptions,
  OutboxTaskDefaults,
  PgQueryable,
  ResolvedOutboxTable,
  SendInTransactionOptions,
} from './outbox/index.js';
export { DEFAULT_BEAT_TABLE, pgBeatLock, pgBeatStore } from './beat/index.js';
export type { PgBeatLock, PgBeatOptions, PgBeatStore } from './beat/index.js';
