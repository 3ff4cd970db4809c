/**
 * The relay: publishes the outbox's committed rows through the app, exactly as `app.sendTask` sends, and deletes
 * them.
 *
 * How a batch goes: in one transaction it claims up to `batchSize` rows (`SELECT … ORDER BY id FOR UPDATE SKIP
 * LOCKED`, so two relays never hold the same row), publishes each (in id order, one after the other), deletes the
 * published ones and marks the failed ones (`attempts + 1`, `last_error`, `available_at` pushed back with
 * exponential backoff), then commits. A relay that dies between a publish and the commit leaves its rows in place
 * (the transaction rolls back), so another relay publishes them again with the same task id: delivery is at least
 * once, never zero times for a committed row.
 *
 * When it runs a batch: at start, on each NOTIFY from a committed `send` (a dedicated connection LISTENs, and
 * reconnects with backoff when it drops), every `pollIntervalMs` (the fallback when a notification is missed, and
 * what picks up rows whose backoff ended), and again at once after a full batch.
 */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Pool, PoolClient } from 'pg';
import { ConfigError, silentLogger } from '@q/core';
import type { App, Logger } from '@q/core';
import { decodeCall } from './outbox-call.js';
import { ensureOutboxTable } from './outbox-migrations.js';
import { resolveOutboxTable, type OutboxTableOptions, type ResolvedOutboxTable } from './outbox-table.js';

/** Options of {@link outboxRelay}. One of `connectionString` and `pool` is required. */
export interface OutboxRelayOptions extends OutboxTableOptions {
  /** `postgresql://…`: the relay opens a small pool of its own (and closes it on `stop()`). */
  connectionString?: string;
  /** A pool to use instead (not closed by the relay; one of its connections is held for LISTEN). */
  pool?: Pool;
  /** Rows claimed per transaction (default 100). */
  batchSize?: number;
  /** Milliseconds between polls when no notification comes (default 1000). */
  pollIntervalMs?: number;
  /** First backoff, ms, after a failed publish (per row) or database error (the relay's); doubles (default 500). */
  retryDelayMs?: number;
  /** Longest backoff, ms (default 30 000). */
  maxRetryDelayMs?: number;
  /** Create the table (through its migrations) at start (default true). */
  migrate?: boolean;
  /** Where the relay logs (default the app's logger). */
  logger?: Logger;
}

/** What the relay needs of an app: sending by name, and its logger. */
export type OutboxRelayApp = Pick<App, 'sendTask'> & { readonly log?: Logger };

/** What one batch did. */
export interface OutboxBatch {
  /** Rows published and deleted. */
  readonly sent: number;
  /** Rows whose publish failed (kept, `attempts` incremented). */
  readonly failed: number;
}

/** A running relay. */
export interface OutboxRelay {
  /** The table's resolved names. */
  readonly table: ResolvedOutboxTable;
  /** Creates the table (unless `migrate: false`), starts listening and polling, and runs a first batch. */
  start(): Promise<void>;
  /** Stops listening and polling, waits for the batch in flight, closes what the relay opened. */
  stop(): Promise<void>;
  /**
   * Runs batches until none is left that can be sent now (rows in backoff wait); resolves to the rows sent. For
   * tests and scripts; works without `start()` (then the table must exist).
   */
  drain(): Promise<number>;
}

const DEFAULTS = { batchSize: 100, pollIntervalMs: 1000, retryDelayMs: 500, maxRetryDelayMs: 30_000 };

interface ClaimedRow {
  id: string;
  task_id: string;
  task_name: string;
  payload: string;
  attempts: number;
}

/** Backoff after `attempt` failures (1-based). */
export function backoffMs(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(30, Math.max(0, attempt - 1)));
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * A relay draining the outbox of `options` into `app`'s broker.
 * @example
 * const relay = outboxRelay(app, { connectionString: 'postgresql://localhost/shop' });
 * await relay.start();
 * // …
 * await relay.stop();
 */
export function outboxRelay(app: OutboxRelayApp, options: OutboxRelayOptions): OutboxRelay {
  return new Relay(app, options);
}

class Relay implements OutboxRelay {
  readonly table: ResolvedOutboxTable;
  readonly #app: OutboxRelayApp;
  readonly #options: OutboxRelayOptions;
  readonly #log: Logger;
  readonly #batchSize: number;
  readonly #pollMs: number;
  readonly #retryMs: number;
  readonly #maxRetryMs: number;
  #pool: Pool | null = null;
  #ownPool = false;
  #listener: PoolClient | null = null;
  #running = false;
  #pollTimer: NodeJS.Timeout | null = null;
  #retryTimer: NodeJS.Timeout | null = null;
  #listenFailures = 0;
  #dbFailures = 0;
  /** A wake-up came while a batch ran: run another. */
  #pending = false;
  /** The loop of batches started by wake-ups, while it runs. */
  #loop: Promise<void> | null = null;
  /** Settles when the last batch queued (by the loop or `drain()`) is done. */
  #lock: Promise<unknown> = Promise.resolve();

  constructor(app: OutboxRelayApp, options: OutboxRelayOptions) {
    this.table = resolveOutboxTable(options);
    this.#app = app;
    this.#options = options;
    this.#log = (options.logger ?? app.log ?? silentLogger).child({ component: 'outbox-relay', table: `${this.table.schema}.${this.table.table}` });
    this.#batchSize = positive(options.batchSize ?? DEFAULTS.batchSize, 'batchSize');
    this.#pollMs = positive(options.pollIntervalMs ?? DEFAULTS.pollIntervalMs, 'pollIntervalMs');
    this.#retryMs = positive(options.retryDelayMs ?? DEFAULTS.retryDelayMs, 'retryDelayMs');
    this.#maxRetryMs = positive(options.maxRetryDelayMs ?? DEFAULTS.maxRetryDelayMs, 'maxRetryDelayMs');
    if (options.pool === undefined && options.connectionString === undefined) {
      throw new ConfigError('Q_ERR_CONFIG_INVALID', 'outboxRelay: give `connectionString` or `pool`');
    }
  }

  #getPool(): Pool {
    if (this.#pool === null) {
      if (this.#options.pool !== undefined) this.#pool = this.#options.pool;
      else {
        this.#pool = new pg.Pool({ connectionString: this.#options.connectionString, max: 3 });
        this.#ownPool = true;
        // An idle connection that drops must not crash the process; the next checkout reconnects.
        this.#pool.on('error', (err) => this.#log.warn({ err }, 'outbox relay: idle connection failed'));
      }
    }
    return this.#pool;
  }

  async start(): Promise<void> {
    if (this.#running) return;
    const pool = this.#getPool();
    if (this.#options.migrate !== false) {
      // Not destroyed: that would end the pool; the migrator's connections go back to it.
      await ensureOutboxTable(new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) }), this.#options);
    }
    this.#running = true;
    await this.#listen();
    this.#schedulePoll();
    this.#wake();
  }

  async stop(): Promise<void> {
    if (!this.#running && this.#pool === null) return;
    this.#running = false;
    for (const timer of [this.#pollTimer, this.#retryTimer]) if (timer !== null) clearTimeout(timer);
    this.#pollTimer = this.#retryTimer = null;
    await this.#loop;
    await this.#lock;
    const listener = this.#listener;
    this.#listener = null;
    if (listener !== null) {
      listener.removeAllListeners('notification');
      // Destroyed rather than returned: a pooled connection must not keep listening.
      listener.release(true);
    }
    if (this.#ownPool && this.#pool !== null) {
      const pool = this.#pool;
      this.#pool = null;
      this.#ownPool = false;
      await pool.end();
    }
  }

  async drain(): Promise<number> {
    let sent = 0;
    for (;;) {
      const { sent: n, failed } = await this.#exclusive(() => this.#batch());
      sent += n;
      if (n + failed < this.#batchSize) return sent;
    }
  }

  /** Runs `fn` after the batch in flight: batches of one relay never overlap. */
  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(fn);
    this.#lock = run.catch(() => undefined);
    return run;
  }

  // ---- LISTEN ----

  async #listen(): Promise<void> {
    if (!this.#running) return;
    let client: PoolClient;
    try {
      client = await this.#getPool().connect();
    } catch (err) {
      this.#listenFailed(err);
      return;
    }
    const onError = (err: unknown) => {
      if (this.#listener !== client) return;
      this.#listener = null;
      client.release(true);
      this.#listenFailed(err);
    };
    client.on('error', onError);
    client.on('end', () => onError(new Error('connection ended')));
    client.on('notification', (n) => {
      if (n.channel === this.table.channel) this.#wake();
    });
    try {
      await client.query(`LISTEN "${this.table.channel}"`);
    } catch (err) {
      client.release(true);
      this.#listenFailed(err);
      return;
    }
    if (!this.#running) {
      client.release(true);
      return;
    }
    this.#listener = client;
    if (this.#listenFailures > 0) {
      this.#log.info({}, 'outbox relay: listening again');
      this.#listenFailures = 0;
      // Notifications sent while nobody listened are lost: look.
      this.#wake();
    }
  }

  #listenFailed(err: unknown): void {
    if (!this.#running) return;
    this.#listenFailures += 1;
    const delay = backoffMs(this.#listenFailures, this.#retryMs, this.#maxRetryMs);
    this.#log.warn({ err: message(err), retryInMs: delay }, 'outbox relay: LISTEN connection lost; polling until it is back');
    setTimeout(() => void this.#listen(), delay).unref();
  }

  // ---- batches ----

  #schedulePoll(): void {
    if (!this.#running) return;
    this.#pollTimer = setTimeout(() => {
      this.#wake();
      this.#schedulePoll();
    }, this.#pollMs);
    this.#pollTimer.unref();
  }

  /** Runs batches until one finds nothing more to send (unless one is running: then it runs again after). */
  #wake(): void {
    if (!this.#running) return;
    this.#pending = true;
    if (this.#loop !== null) return;
    const loop = this.#runLoop().finally(() => {
      if (this.#loop === loop) this.#loop = null;
    });
    this.#loop = loop;
  }

  async #runLoop(): Promise<void> {
    while (this.#running && this.#pending && this.#retryTimer === null) {
      this.#pending = false;
      try {
        const { sent, failed } = await this.#exclusive(() => this.#batch());
        this.#dbFailures = 0;
        // A full batch: there may be more.
        if (sent + failed === this.#batchSize) this.#pending = true;
      } catch (err) {
        this.#dbFailures += 1;
        const delay = backoffMs(this.#dbFailures, this.#retryMs, this.#maxRetryMs);
        this.#log.error({ err: message(err), retryInMs: delay }, 'outbox relay: batch failed (rows kept); retrying');
        this.#retryTimer = setTimeout(() => {
          this.#retryTimer = null;
          this.#wake();
        }, delay);
        this.#retryTimer.unref();
      }
    }
  }

  /** One batch (see the module comment). Throws on a database error (the transaction is rolled back). */
  async #batch(): Promise<OutboxBatch> {
    const t = this.table.qualified;
    const client = await this.#getPool().connect();
    let broken: unknown;
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<ClaimedRow>(
        `SELECT id::text AS id, task_id, task_name, payload, attempts FROM ${t}
          WHERE available_at <= now() ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [this.#batchSize],
      );
      const sent: string[] = [];
      const failed: { row: ClaimedRow; err: unknown }[] = [];
      for (const row of rows) {
        try {
          const call = decodeCall(row.task_id, row.task_name, row.payload);
          await this.#app.sendTask(call.name, call.args, { ...call.kwargs }, call.options);
          sent.push(row.id);
        } catch (err) {
          failed.push({ row, err });
        }
      }
      if (sent.length > 0) await client.query(`DELETE FROM ${t} WHERE id = ANY($1::bigint[])`, [sent]);
      for (const { row, err } of failed) {
        const attempts = row.attempts + 1;
        const delay = backoffMs(attempts, this.#retryMs, this.#maxRetryMs);
        this.#log.warn({ taskId: row.task_id, task: row.task_name, attempts, retryInMs: delay, err: message(err) }, 'outbox relay: publish failed; row kept for retry');
        await client.query(
          `UPDATE ${t} SET attempts = attempts + 1, last_error = $2, available_at = now() + $3 * interval '1 millisecond' WHERE id = $1`,
          [row.id, message(err), delay],
        );
      }
      await client.query('COMMIT');
      if (sent.length > 0) this.#log.debug({ sent: sent.length }, 'outbox relay: batch sent');
      return { sent: sent.length, failed: failed.length };
    } catch (err) {
      broken = err;
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release(broken === undefined ? undefined : true);
    }
  }
}

function positive(value: number, option: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new ConfigError('Q_ERR_CONFIG_INVALID', `outboxRelay: ${option} must be a positive number, got ${String(value)}`);
  return value;
}
