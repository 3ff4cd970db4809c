/**
 * Shared revokes (q's own, `ResultBackend.saveRevoked`/`loadRevoked`): one row per revoked task id in q's revoked
 * table, upserted — saves of many workers at once never overwrite each other's ids — with the time it was revoked and
 * when it stops mattering (epoch ms). Reads skip expired rows; `cleanup` deletes them.
 */
import { sql } from 'kysely';
import type { LoadRevokedOptions, RevokedId, SaveRevokedOptions } from '@q/core/adapter';
import { ident } from '../schema/table-refs.js';
import type { SqlRunner } from './sql-runner.js';

/** See the module comment. */
export class RevokedStore {
  readonly #sql: SqlRunner;

  constructor(runner: SqlRunner) {
    this.#sql = runner;
  }

  /** Keep `ids`, revoked at `options.at`, for `options.ttlMs`. */
  async save(ids: readonly string[], options: SaveRevokedOptions): Promise<void> {
    if (ids.length === 0) return;
    const expires = options.at + options.ttlMs;
    await this.#sql.affected(
      'saving revoked ids',
      sql`INSERT INTO ${ident(this.#sql.refs.revoked)} AS r (task_id, revoked_at, expires_at)
        SELECT id, ${options.at}::bigint, ${expires}::bigint FROM unnest(${[...new Set(ids)]}::text[]) AS id
        ON CONFLICT (task_id) DO UPDATE SET revoked_at = greatest(r.revoked_at, EXCLUDED.revoked_at), expires_at = greatest(r.expires_at, EXCLUDED.expires_at)`,
    );
  }

  /** The ids kept and not expired, oldest first; at most `options.limit`, the most recent ones. */
  async load(options: LoadRevokedOptions = {}): Promise<RevokedId[]> {
    const since = options.since ?? 0;
    const limit = options.limit === undefined ? sql`ALL` : sql`${options.limit}`;
    const rows = await this.#sql.rows(
      'loading revoked ids',
      sql<{ task_id: string; revoked_at: string }>`SELECT task_id, revoked_at FROM ${ident(this.#sql.refs.revoked)}
        WHERE expires_at > ${Date.now()}::bigint AND revoked_at >= ${since}::bigint
        ORDER BY revoked_at DESC, task_id LIMIT ${limit}`,
    );
    return rows.reverse().map((r) => ({ id: r.task_id, at: Number(r.revoked_at) }));
  }
}
