/**
 * Transactional enqueue (beyond Celery): tasks written to an outbox table in the caller's transaction and published
 * by a relay after commit. See docs/guide/transactional-enqueue.md.
 * @packageDocumentation
 */
export { outbox, sendInTransaction } from './outbox.js';
export type { Outbox, OutboxApp, OutboxTaskDefaults, SendInTransactionOptions } from './outbox.js';
export type { OutboxExecutor, PgQueryable } from './outbox-executor.js';
export { DEFAULT_OUTBOX_SCHEMA, DEFAULT_OUTBOX_TABLE, resolveOutboxTable } from './outbox-table.js';
export type { OutboxTableOptions, ResolvedOutboxTable } from './outbox-table.js';
export { ensureOutboxTable } from './outbox-migrations.js';
export { outboxRelay } from './outbox-relay.js';
export type { OutboxBatch, OutboxRelay, OutboxRelayApp, OutboxRelayOptions } from './outbox-relay.js';
export { OUTBOX_RELAY_STEP, outboxRelayPlugin, outboxRelayStep } from './outbox-relay-plugin.js';
export type { OutboxRelayWorkerHost } from './outbox-relay-plugin.js';
