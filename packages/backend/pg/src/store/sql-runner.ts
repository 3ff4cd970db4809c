/**
 * How the backend's smaller parts (groups, chords, revokes, cleanup) run their statements: on the backend's kysely
 * instance, with its retry policy for lost connections ({@link withPgRetry}), and its table names at hand.
 */
import type { Kysely, RawBuilder } from 'kysely';
import type { Logger } from '@q/core';
import type { TableRefs } from '../schema/table-refs.js';
import { withPgRetry, type PgRetryOptions } from './pg-retry.js';

/** See the module comment. */
export interface SqlRunner {
  readonly refs: TableRefs;
  readonly logger: Logger;
  /** Run `statement` (`what` names it in logs and errors); resolves to its rows. */
  rows<R>(what: string, statement: RawBuilder<R>): Promise<R[]>;
  /** Run `statement`; resolves to how many rows it changed. */
  affected(what: string, statement: RawBuilder<unknown>): Promise<number>;
}

/** A {@link SqlRunner} on `db`. */
export function sqlRunner(db: Kysely<unknown>, refs: TableRefs, retry: PgRetryOptions): SqlRunner {
  return {
    refs,
    logger: retry.logger,
    rows: async (what, statement) => (await withPgRetry(what, () => statement.execute(db), retry)).rows,
    affected: async (what, statement) => Number((await withPgRetry(what, () => statement.execute(db), retry)).numAffectedRows ?? 0n),
  };
}
