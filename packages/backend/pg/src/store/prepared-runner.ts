/**
 * The hot statements (storing states, reading them) as named prepared statements: their text never changes (rows go
 * in as arrays), so PostgreSQL parses and plans each once per connection instead of on every store — half the time of
 * a one-task store on a local server. kysely builds the statement; `pg` runs it by name (kysely has no named
 * statements).
 */
import { createHash } from 'node:crypto';
import type { CompiledQuery } from 'kysely';
import type { Pool } from 'pg';

/** Runs a compiled statement as a named prepared statement; resolves to its rows. */
export type PreparedRunner = <R>(query: CompiledQuery<R>) => Promise<R[]>;

/** A {@link PreparedRunner} on `pool`: one statement name per distinct text. */
export function preparedRunner(pool: Pool): PreparedRunner {
  const names = new Map<string, string>();
  return async <R>(query: CompiledQuery<R>): Promise<R[]> => {
    let name = names.get(query.sql);
    if (name === undefined) {
      name = `q_${createHash('md5').update(query.sql).digest('hex').slice(0, 24)}`;
      names.set(query.sql, name);
    }
    const result = await pool.query({ name, text: query.sql, values: [...query.parameters] });
    return result.rows as R[];
  };
}
