/**
 * The PostgreSQL interop suite's services: results in the schema `q_test_e2e_pg` of the shared server (Celery's
 * `database_table_schemas`, q's `result.backendOptions.tableSchemas`), tasks over RabbitMQ in the vhost
 * `q-test-e2e-pg`; both created fresh and dropped afterwards. Raw rows are read with `psql`.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { POSTGRES, rabbitVhost, servicesAvailable } from '@q/test-services';
import { AMQP_LEDGER_URL } from './amqp-env.js';
import type { InteropEnv } from './python-celery.js';

/** The schema of the e2e suite. */
export const PG_SCHEMA = 'q_test_e2e_pg';
/** The shared test database (trust auth). */
export const PG_URL = process.env['Q_TEST_PG_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/test';
/** The same database as Celery names its database backend. */
export const PG_BACKEND_URL = `db+${PG_URL}`;
/** `result_expires` of both sides, seconds. */
export const PG_RESULT_EXPIRES = 600;

/** Where `@q/backend-pg` resolves from (the e2e package depends on it; the repository root does not). */
const E2E_DIR = fileURLToPath(new URL('../..', import.meta.url));

/** Runs `sql` with `psql` (stops at the first error); the rows as tab-separated cells. */
export function psql(sql: string): string[][] {
  const run = spawnSync('psql', [PG_URL, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-At', '-F', '\t', '-c', sql], { encoding: 'utf8', timeout: 30_000 });
  if (run.status !== 0) throw new Error(`psql failed (${run.status ?? String(run.error)}): ${run.stderr}\n${sql}`);
  return run.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

/** What the suite runs against. */
export interface PgInterop {
  /** Broker = the vhost, backend = {@link PG_BACKEND_URL}; settings for both sides (the ledger is unused). */
  urls: InteropEnv;
  vhost: string;
  /** Drops the schema and the vhost. */
  close(): Promise<void>;
}

/**
 * Creates the vhost and the empty schema, or returns `null` when PostgreSQL or RabbitMQ is missing on a developer
 * machine (in CI a missing service throws).
 */
export async function pgInterop(suite: string): Promise<PgInterop | null> {
  if (!(await servicesAvailable(suite, POSTGRES))) return null;
  const vhost = await rabbitVhost(suite, 'e2e-pg');
  if (!vhost) return null;
  psql(`DROP SCHEMA IF EXISTS ${PG_SCHEMA} CASCADE; CREATE SCHEMA ${PG_SCHEMA}`);
  const schemas = { task: PG_SCHEMA, group: PG_SCHEMA };
  const urls: InteropEnv = {
    broker: vhost.url,
    backend: PG_BACKEND_URL,
    ledger: AMQP_LEDGER_URL,
    celeryConf: { database_table_schemas: schemas, result_extended: true, task_track_started: true, result_expires: PG_RESULT_EXPIRES },
    qConfig: {
      resolveFrom: E2E_DIR,
      result: { extended: true, expires: PG_RESULT_EXPIRES, backendOptions: { tableSchemas: schemas } },
      task: { trackStarted: true },
    },
  };
  return {
    urls,
    vhost: vhost.name,
    async close() {
      psql(`DROP SCHEMA IF EXISTS ${PG_SCHEMA} CASCADE`);
      await vhost.drop();
    },
  };
}

/** `urls` with the q side's `result.backendOptions.notify` set (`poll`: no LISTEN, as behind a transaction pooler). */
export function withNotify(urls: InteropEnv, notify: 'listen' | 'poll'): InteropEnv {
  const qConfig = urls.qConfig as { result: { backendOptions: Record<string, unknown> } };
  return { ...urls, qConfig: { ...qConfig, result: { ...qConfig.result, backendOptions: { ...qConfig.result.backendOptions, notify } } } };
}
