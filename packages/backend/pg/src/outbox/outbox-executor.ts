/**
 * Running the outbox's insert on whatever the caller's transaction is: a kysely `Transaction` (or `Kysely`), run
 * with kysely's `sql` template, or a node-postgres `PoolClient` / `Client` (anything with `query(text, values)`).
 */
import { sql } from 'kysely';
import type { QueryExecutorProvider } from 'kysely';
import { ConfigError } from '@q/core';

/** Something with node-postgres' `query(text, values)` (a `pg.PoolClient` or `pg.Client` inside `BEGIN`). */
export interface PgQueryable {
  query(text: string, values: unknown[]): Promise<unknown>;
}

/** Where `sendInTransaction` writes: the caller's kysely transaction or pg client. */
export type OutboxExecutor = QueryExecutorProvider | PgQueryable;

function isKysely(x: object): x is QueryExecutorProvider {
  return typeof (x as { getExecutor?: unknown }).getExecutor === 'function';
}

function isPg(x: object): x is PgQueryable {
  return typeof (x as { query?: unknown }).query === 'function';
}

/**
 * Runs `text` with positional parameters `$1…$n` on `trx`.
 * @throws ConfigError `Q_ERR_CONFIG_INVALID` when `trx` is neither a kysely executor nor a pg client.
 */
export async function runStatement(trx: OutboxExecutor, text: string, values: readonly unknown[]): Promise<void> {
  if (typeof trx === 'object' && trx !== null && isKysely(trx)) {
    // `$n` placeholders become kysely parameters in order (the text holds no other `$`).
    const parts = text.split(/\$\d+/);
    const params = [...text.matchAll(/\$(\d+)/g)].map((m) => values[Number(m[1]) - 1]);
    await sql.join(
      parts.flatMap((part, i) => (i < params.length ? [sql.raw(part), sql`${params[i]}`] : [sql.raw(part)])),
      sql.raw(''),
    ).execute(trx);
    return;
  }
  if (typeof trx === 'object' && trx !== null && isPg(trx)) {
    await trx.query(text, [...values]);
    return;
  }
  throw new ConfigError('Q_ERR_CONFIG_INVALID', 'sendInTransaction: trx must be a kysely Transaction/Kysely or a pg PoolClient/Client (something with query(text, values))');
}
