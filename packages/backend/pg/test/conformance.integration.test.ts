import { resultBackendSuite } from '@q/conformance';
import { POSTGRES, servicesAvailable } from '@q/test-services';
import { afterAll, beforeAll, describe } from 'vitest';
import { pgBackend } from '../src/index.js';
import { PG_URL, dropSchema, freshSchema } from './pg-schema.js';

const ok = await servicesAvailable('backend-pg', POSTGRES);
const SCHEMA = 'q_test_backend_pg';

describe.skipIf(!ok)('postgresql (schema q_test_backend_pg)', () => {
  beforeAll(() => freshSchema(SCHEMA));
  afterAll(() => dropSchema(SCHEMA));

  const tableSchemas = { task: SCHEMA, group: SCHEMA };
  resultBackendSuite('pg backend (chords by celery.chord_unlock)', async () => pgBackend({ url: PG_URL, tableSchemas }));
  resultBackendSuite('pg backend (native chords)', async () =>
    pgBackend({ url: PG_URL, tableSchemas, tableNames: { task: 'native_taskmeta', group: 'native_tasksetmeta' }, chords: 'native' }),
  );
});
