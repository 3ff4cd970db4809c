/**
 * Redis db 5 as the broker with PostgreSQL (database `test`, schema `q_bench_pg`) as the result backend, for
 * `bench:pg`: a {@link Broker} the main bench's scenarios (`drainScenario`, `roundTripScenario`) and peers (`q`,
 * `celery`) run on unchanged. The queue side is the main bench's {@link RedisBroker}; results are rows of the
 * schema, which `reset()` drops and creates again with the tables of the system about to run, made as that system
 * makes them (Celery: SQLAlchemy through its backend, `src/python/pg_tables.py`; q: `pgBackend().connect()`'s
 * migrations), so neither drain times a `CREATE TABLE`. Celery reaches the schema by the URL's
 * `options=-csearch_path=q_bench_pg` (libpq's, passed on by psycopg2), q by `tableSchemas` ({@link pgQBackend});
 * both keep their default table names.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { BENCH_ROOT } from '../build.js';
import { LIMITS, QUEUE } from '../config.js';
import { RedisBroker } from '../brokers/redis.js';
import type { Broker, Progress } from '../brokers/types.js';
import { runToEnd } from '../proc.js';
import { PG_RESULT_URL, PG_SCHEMA, PG_SERVER, pgQBackend } from './pg-target.js';

/** Celery's table (default name), in the schema. */
const TASK_TABLE = `${PG_SCHEMA}.celery_taskmeta`;
/** Count rows only once the queue is empty (no drain can be done before), and then at most this often. */
const COUNT_EVERY_MS = 10;

/** Who makes the tables of the next scenario. */
export type TableOwner = 'celery' | 'q';

/** The part of `pg`'s Pool the harness uses (`pg` is a dependency of `@q/backend-pg`, loaded from there). */
interface PgPool {
  query<R>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
  end(): Promise<void>;
}

function openPool(): PgPool {
  const backendPkg = fileURLToPath(new URL('../../../../packages/backend/pg/package.json', import.meta.url));
  const { Pool } = createRequire(backendPkg)('pg') as { Pool: new (config: { connectionString: string; max: number }) => PgPool };
  return new Pool({ connectionString: PG_SERVER, max: 2 });
}

/** Redis db 5 for the queue, `q_bench_pg` for results. */
export class PgBroker implements Broker {
  readonly name = 'redis' as const;
  readonly title = 'Redis + PostgreSQL';
  readonly url: string;
  /** The system whose tables `reset()` makes. */
  owner: TableOwner = 'q';
  readonly #redis: RedisBroker;
  readonly #pool: PgPool;
  #countedAt = 0;
  #counted = 0;

  private constructor(redis: RedisBroker, pool: PgPool) {
    this.#redis = redis;
    this.#pool = pool;
    this.url = redis.url;
  }

  static async open(): Promise<PgBroker> {
    const pool = openPool();
    await pool.query('SELECT 1');
    return new PgBroker(await RedisBroker.open(), pool);
  }

  resultBackend(results: boolean): string | null {
    return results ? PG_RESULT_URL : null;
  }

  async version(): Promise<string> {
    const { rows } = await this.#pool.query<{ server_version: string }>('SHOW server_version');
    return `Redis ${await this.#redis.version()}, PostgreSQL ${rows[0]?.server_version ?? 'unknown'}`;
  }

  /** Flushes db 5, drops the schema and makes it again with the owner's tables. */
  async reset(): Promise<void> {
    await this.#redis.reset();
    await this.dropSchema();
    await this.#pool.query(`CREATE SCHEMA ${PG_SCHEMA}`);
    if (this.owner === 'celery') {
      const pyDir = path.join(BENCH_ROOT, 'src', 'python');
      await runToEnd('celery pg_tables.py', '/usr/bin/python3', [path.join(pyDir, 'pg_tables.py')], LIMITS.clientMs, {
        cwd: pyDir,
        env: { BENCH_BROKER: this.url, BENCH_BACKEND: PG_RESULT_URL, PYTHONUNBUFFERED: '1' },
      });
    } else {
      const backend = pgQBackend(PG_RESULT_URL);
      await backend.connect();
      await backend.close();
    }
    this.#countedAt = 0;
    this.#counted = 0;
  }

  async dropSchema(): Promise<void> {
    await this.#pool.query(`DROP SCHEMA IF EXISTS ${PG_SCHEMA} CASCADE`);
  }

  fill(n: number): Promise<void> {
    return this.#redis.fill(n);
  }

  /** `taken` from the queue; `finished`: SUCCESS rows, counted only once the queue is empty (0 before). */
  async progress(n: number): Promise<Progress> {
    const waiting = await this.#redis.redis.llen(QUEUE);
    if (waiting === 0 && performance.now() - this.#countedAt >= COUNT_EVERY_MS) {
      this.#counted = await this.successRows();
      this.#countedAt = performance.now();
    }
    return { taken: n - waiting, finished: waiting === 0 ? this.#counted : 0 };
  }

  async successRows(): Promise<number> {
    const { rows } = await this.#pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${TASK_TABLE} WHERE status = 'SUCCESS'`);
    return Number(rows[0]?.n ?? 0);
  }

  /** Every task has exactly one row, SUCCESS; nothing left in the queue or unacknowledged. */
  async checkDrain(n: number): Promise<void> {
    await delay(50);
    const { rows } = await this.#pool.query<{ status: string; n: string }>(`SELECT status, count(*) AS n FROM ${TASK_TABLE} GROUP BY status`);
    const byStatus = rows.map((r) => `${r.status}: ${r.n}`).join(', ');
    if (rows.length !== 1 || rows[0]?.status !== 'SUCCESS' || Number(rows[0].n) !== n) throw new Error(`expected ${n} SUCCESS rows, found ${byStatus || 'none'}`);
    // A worker acknowledges after the result is stored (Celery's prefork: its main process, a moment later): wait up to 5 s.
    const settled = performance.now() + 5000;
    for (;;) {
      const [[, waiting], [, unacked]] = (await this.#redis.redis.multi().llen(QUEUE).hlen('unacked').exec()) as [[null, number], [null, number]];
      if (waiting === 0 && unacked === 0) return;
      if (performance.now() > settled) throw new Error(`the drain left ${waiting} messages waiting and ${unacked} unacknowledged`);
      await delay(50);
    }
  }

  async close(): Promise<void> {
    await this.dropSchema().catch(() => undefined);
    await this.#pool.end().catch(() => undefined);
    await this.#redis.close();
  }
}
