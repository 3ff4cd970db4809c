/**
 * Integration-test helpers: every suite works in a PostgreSQL schema of its own on the shared server
 * (`postgresql://postgres@127.0.0.1:5432/test`), created fresh and dropped with everything in it afterwards.
 */
import pg from 'pg';

export const PG_URL = process.env['Q_TEST_PG_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/test';

/** Run one statement on a short-lived connection. */
export async function pgExec<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Drop `schema` (with everything in it) if it exists, and create it empty. */
export async function freshSchema(schema: string): Promise<void> {
  await pgExec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE; CREATE SCHEMA "${schema}"`);
}

/** Drop `schema` and everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  await pgExec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}
