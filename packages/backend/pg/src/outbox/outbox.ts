/**
 * Transactional enqueue: `outbox(app).send(trx, task, args)` writes the call to the outbox table inside the caller's
 * transaction (and, in the same statement, a `pg_notify` the relay hears at commit), and hands back the task's
 * `AsyncResult` at once: the task id is fixed when the row is written. The relay ({@link outboxRelay}) publishes
 * the row after commit; a rolled-back transaction leaves no row, so no task.
 */
import type { App, ApplyOptions, AsyncResult, Task } from '@q/core';
import { encodeCall, freezeCall } from './outbox-call.js';
import { runStatement, type OutboxExecutor } from './outbox-executor.js';
import { resolveOutboxTable, type OutboxTableOptions, type ResolvedOutboxTable } from './outbox-table.js';

/** What the outbox needs of an app: its reply queue, result handles and (optionally) its tasks' default expiry. */
export type OutboxApp = Pick<App, 'oid' | 'resultFromTuple'> & {
  readonly tasks?: { get(name: string): { readonly options: OutboxTaskDefaults } | undefined };
};

/** A task's message defaults the outbox pins. */
export interface OutboxTaskDefaults {
  readonly expires: number | null;
  readonly ignoreResult: boolean;
  readonly serializer: string;
}

/** The outbox of one table, bound to an app. */
export interface Outbox {
  /** The table's resolved names. */
  readonly table: ResolvedOutboxTable;
  /**
   * Writes a call of `task` to the outbox in the transaction `trx` (see the module comment). `args`, `kwargs` and
   * `options` are those of `task.applyAsync` / `app.sendTask`; they must be JSON values (what the `json`
   * serializer carries). Resolves once the row is written (not committed: the task is sent after commit).
   * @throws ConfigError `Q_ERR_CONFIG_INVALID` for a bad `trx`, countdown, eta or expiry.
   * @throws SerializationError `Q_ERR_SERIALIZE_FAILED` for a value JSON cannot carry.
   */
  send<A extends unknown[], R, K extends object>(
    trx: OutboxExecutor,
    task: Task<A, R, K>,
    args?: Partial<A>,
    kwargs?: K,
    options?: ApplyOptions,
  ): Promise<AsyncResult<Awaited<R>>>;
  /** As above, for a task known by name only (as `app.sendTask`). */
  send<T = unknown>(
    trx: OutboxExecutor,
    name: string,
    args?: readonly unknown[],
    kwargs?: Record<string, unknown>,
    options?: ApplyOptions,
  ): Promise<AsyncResult<T>>;
}

/** The statement: the row and the NOTIFY, one round trip. */
export function insertStatement(t: ResolvedOutboxTable): string {
  return `WITH row AS (INSERT INTO ${t.qualified} (task_id, task_name, payload) VALUES ($1, $2, $3) RETURNING id) SELECT pg_notify($4, '') FROM row`;
}

/**
 * The outbox of `app` on the table `options` names (default `public.q_outbox`).
 * @example
 * const box = outbox(app);
 * await db.transaction().execute(async (trx) => {
 *   await trx.insertInto('orders').values(order).execute();
 *   const result = await box.send(trx, sendReceipt, [order.id]);
 * });
 */
export function outbox(app: OutboxApp, options: OutboxTableOptions = {}): Outbox {
  const table = resolveOutboxTable(options);
  const text = insertStatement(table);
  async function send(
    trx: OutboxExecutor,
    task: Task | string,
    args: readonly unknown[] = [],
    kwargs: Record<string, unknown> = {},
    applyOptions: ApplyOptions = {},
  ): Promise<AsyncResult> {
    const name = typeof task === 'string' ? task : task.name;
    const own: OutboxTaskDefaults | undefined = typeof task === 'string' ? app.tasks?.get(name)?.options : task.options;
    const defaults = own === undefined ? { expires: null } : { expires: own.expires, ignoreResult: own.ignoreResult, serializer: own.serializer };
    const call = freezeCall(name, args, kwargs, applyOptions, { replyTo: app.oid, defaults });
    await runStatement(trx, text, [call.taskId, call.name, encodeCall(call), table.channel]);
    return app.resultFromTuple([[call.taskId, null], null]) as AsyncResult;
  }
  return { table, send: send as Outbox['send'] };
}

/** Options of {@link sendInTransaction}: `applyAsync`'s, plus which outbox table. */
export interface SendInTransactionOptions extends ApplyOptions {
  /** The outbox table (default `public.q_outbox`). */
  outbox?: OutboxTableOptions;
}

/**
 * `outbox(app).send(trx, task, …)` with the task's own app (the app that registered `task`). For a task known by
 * name only, use {@link outbox}.
 * @example
 * await client.query('BEGIN');
 * await client.query('INSERT INTO orders …');
 * const result = await sendInTransaction(client, sendReceipt, [orderId]);
 * await client.query('COMMIT');
 */
export async function sendInTransaction<A extends unknown[], R, K extends object>(
  trx: OutboxExecutor,
  task: Task<A, R, K>,
  args?: Partial<A>,
  kwargs?: K,
  options: SendInTransactionOptions = {},
): Promise<AsyncResult<Awaited<R>>> {
  const { outbox: table, ...applyOptions } = options;
  const app = task.signature().app;
  if (app === null) throw new TypeError(`sendInTransaction(${task.name}): the task has no app`);
  return outbox(app, table).send(trx, task, args, kwargs, applyOptions);
}
