/**
 * A PostgreSQL restart mid-drain loses no result (issue 19's must-hold): a q worker draining 2,000 tasks into the
 * PostgreSQL backend while the server crashes (`immediate` stop) and comes back a second later stores every result,
 * once and correct (its stores are retried), and every `get()` issued before the crash resolves (the LISTEN
 * connection reconnects and re-reads what it watches); a `get()` waiting across the restart for a task that finishes
 * after it resolves; `connect()` called while the server is down succeeds once it is up; and closing the backend while
 * the server shuts down raises no uncaught error.
 *
 * It starts its OWN PostgreSQL server (`privatePostgres` of `@q/test-services`) on a free port and never touches the
 * shared one on 5432. The server is stopped in afterAll.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { createApp, memoryQueueDriver, silentLogger, type App, type Logger, type ResultBackend } from '@q/core';
import { freePort, missingPostgresServer, privatePostgres, recordingLogger, runsHere, type PrivatePostgres, type RecordingLogger } from '@q/test-services';
import { createWorker } from '@q/worker';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { decodePickle, pgBackend } from '../src/index.js';

const runs = runsHere('backend-pg restart', [missingPostgresServer()]);

/** A promise and the function that resolves it. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** Resolves once `check()` holds (checked every 10 ms). */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await sleep(10);
}

describe.skipIf(!runs)('a PostgreSQL restart (private server)', () => {
  let dir: string;
  let server: PrivatePostgres;
  let apps = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'q-pg-restart-'));
    server = privatePostgres(await freePort(), dir);
    await server.start();
  }, 30_000);
  afterAll(async () => {
    await server.stop({ mode: 'immediate' });
    rmSync(dir, { recursive: true, force: true });
  });

  /** Run one statement on the private server. */
  async function query<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      return (await client.query<R>(text, values)).rows;
    } finally {
      await client.end();
    }
  }

  /**
   * A client app and a worker app on one memory broker, each with its own backend (pool, LISTEN connection) on the
   * private server, as a client process and a worker process would be; ended with the test. `logger` is the backends'.
   */
  async function clientAndWorker(logger: Logger, register: (app: App) => void): Promise<App> {
    const name = `pg-restart-${process.pid}-${++apps}`;
    const backend = (): ResultBackend => pgBackend({ url: server.url, retryForMs: 30_000, logger });
    const client = createApp({ name: `${name}-client`, broker: memoryQueueDriver({ namespace: name }), backend: backend() });
    const app = createApp({ name, broker: memoryQueueDriver({ namespace: name }), backend: backend() });
    register(app);
    const worker = createWorker(app, { logger: silentLogger, hostname: `w1@${name}`, closeApp: true, concurrency: 8 });
    await worker.start();
    onTestFinished(async () => {
      await worker.stop({ graceful: false });
      await client.close();
    });
    return client;
  }

  const warned = (logger: RecordingLogger, pattern: RegExp): boolean => logger.lines.some((l) => l.level === 'warn' && pattern.test(l.msg));

  it('a crash and restart mid-drain of 2,000 tasks: every result is stored once and right, every get() resolves', async () => {
    const TASKS = 2000;
    const CRASH_AFTER = 600;
    const logger = recordingLogger();
    const down = gate();
    let begun = 0;
    const client = await clientAndWorker(logger, (app) => {
      app.task({ name: 'restart.double', params: ['i'] }, async (i: number) => {
        // Past the first 600, tasks wait until the server is down: the rest of the drain spans the restart.
        if (++begun > CRASH_AFTER) await down.opened;
        await sleep(2);
        return i * 2;
      });
    });
    const results = await Promise.all(Array.from({ length: TASKS }, (_, i) => client.sendTask<number>('restart.double', [i])));
    const values = Promise.all(results.map((r) => r.get({ timeout: 90 })));
    values.catch(() => undefined); // awaited below; a get() failing during the crash must not be an unhandled rejection meanwhile

    await until(() => begun > CRASH_AFTER);
    await server.stop({ mode: 'immediate' });
    down.open();
    await sleep(1000);
    // The worker's stores met the server down (and are being retried) before it comes back.
    await until(() => warned(logger, /storing .*retrying/));
    await server.start();

    expect(await values).toEqual(Array.from({ length: TASKS }, (_, i) => i * 2));
    const rows = await query<{ task_id: string; status: string; result: Buffer }>(
      'SELECT task_id, status, result FROM celery_taskmeta WHERE task_id = ANY($1::text[])',
      [results.map((r) => r.id)],
    );
    expect(rows).toHaveLength(TASKS);
    const byId = new Map(rows.map((row) => [row.task_id, row]));
    results.forEach((r, i) => {
      const row = byId.get(r.id);
      expect(row?.status, r.id).toBe('SUCCESS');
      expect(decodePickle(row?.result ?? new Uint8Array()), r.id).toBe(i * 2);
    });
    // The LISTEN connection of the get()s was lost, and made again.
    expect(warned(logger, /LISTEN connection lost/)).toBe(true);
  }, 120_000);

  it('a get() waiting across the restart for a task that finishes after it resolves', async () => {
    const logger = recordingLogger();
    const finish = gate();
    const client = await clientAndWorker(logger, (app) => {
      app.task({ name: 'restart.late', params: ['x'] }, async (x: string) => {
        await finish.opened;
        return `${x} after the restart`;
      });
    });
    const result = await client.sendTask<string>('restart.late', ['done']);
    const waiting = result.get({ timeout: 60 });
    waiting.catch(() => undefined); // awaited below
    // The wait is subscribed before the crash: the LISTEN connection's last statement is this task's LISTEN.
    const listen = `LISTEN "q_${createHash('md5').update(result.id).digest('hex')}"`;
    while ((await query('SELECT 1 FROM pg_stat_activity WHERE query = $1', [listen])).length === 0) await sleep(10);
    await server.stop({ mode: 'immediate' });
    await sleep(1000);
    await server.start();
    finish.open();
    expect(await waiting).toBe('done after the restart');
    expect(warned(logger, /LISTEN connection lost/)).toBe(true);
  }, 90_000);

  it('connect() called while the server is down retries and succeeds once it is up', async () => {
    const backend = pgBackend({ url: server.url, retryForMs: 30_000, tableNames: { task: 'connect_taskmeta', group: 'connect_tasksetmeta' } });
    onTestFinished(() => backend.close());
    await server.stop({ mode: 'fast' });
    let outcome: unknown = 'pending';
    const connecting = backend.connect().then(
      () => (outcome = 'connected'),
      (err: unknown) => (outcome = err),
    );
    await sleep(1000);
    const whileDown = outcome;
    await server.start();
    await connecting;
    expect(whileDown, 'connect() gave up while the server was down').toBe('pending');
    expect(outcome).toBe('connected');
    await backend.storeResult({ taskId: 'connect-late', status: 'SUCCESS', result: 7, traceback: null, children: [], dateDone: '2026-12-07T10:00:00.000001' }, { expiresMs: null });
    expect(await backend.getTaskMeta('connect-late')).toMatchObject({ status: 'SUCCESS', result: 7 });
  }, 60_000);

  it('closing the backend while the server shuts down raises no uncaught error', async () => {
    // pg-pool's end() resolves before its clients' sockets are closed: a FATAL the server sends meanwhile (a shutdown
    // terminating every session) is an 'error' event on the pool, which must still have a listener.
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown): void => void uncaught.push(err);
    process.on('uncaughtException', onUncaught);
    onTestFinished(() => void process.off('uncaughtException', onUncaught));
    for (let round = 0; round < 3; round++) {
      const backend = pgBackend({ url: server.url, tableNames: { task: 'close_taskmeta', group: 'close_tasksetmeta' } });
      await backend.connect();
      await Promise.all(Array.from({ length: 10 }, () => backend.getTaskMeta('close-race'))); // ten pooled connections
      await Promise.all([backend.close(), server.stop({ mode: 'fast' })]);
      await sleep(50);
      await server.start();
    }
    expect(uncaught.map(String)).toEqual([]);
  }, 60_000);
});
