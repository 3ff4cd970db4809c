/** Workers starting at once: eight backends connecting together on a fresh schema all connect, and the tables are made once. */
import { POSTGRES, servicesAvailable } from '@q/test-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgBackend } from '../src/index.js';
import { PG_URL, dropSchema, pgExec } from './pg-schema.js';

const ok = await servicesAvailable('backend-pg migrations', POSTGRES);
const SCHEMA = 'q_test_backend_pg_race';

describe.skipIf(!ok)('concurrent first connects (schema q_test_backend_pg_race)', () => {
  beforeAll(() => dropSchema(SCHEMA));
  afterAll(() => dropSchema(SCHEMA));

  it('eight backends connecting at once on a schema that does not exist yet all connect', async () => {
    const backends = Array.from({ length: 8 }, () => pgBackend({ url: PG_URL, tableSchemas: { task: SCHEMA, group: SCHEMA } }));
    try {
      await Promise.all(backends.map((b) => b.connect()));
      const tables = await pgExec<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY tablename`, [SCHEMA]);
      expect(tables.map((t) => t.tablename)).toEqual(expect.arrayContaining(['celery_taskmeta', 'celery_tasksetmeta', 'celery_taskmeta_q_chord', 'celery_taskmeta_q_revoked']));
      const triggers = await pgExec(
        `SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND NOT t.tgisinternal`,
        [SCHEMA],
      );
      expect(triggers).toHaveLength(1);
    } finally {
      await Promise.all(backends.map((b) => b.close()));
    }
  });
});
