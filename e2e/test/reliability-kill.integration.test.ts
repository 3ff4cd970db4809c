/**
 * Kill tests (issue 20, item 1): 10,000 `acksLate` tasks while the worker process (the real `q worker` CLI) is
 * killed with SIGKILL 2 s after each start's first run and started again with the same arguments, until every task
 * ran. Nothing is lost: every task ran at least once, and nothing is left in the queue, ready or unacknowledged.
 * Tasks a killed worker ran but had not acked yet run again: at-least-once, so the duplicates are counted and
 * printed (`kill test <broker>/<pool>: …`), not asserted away.
 *
 * Every pool on Redis (a private redis-server: broker db 0, ledger db 1) and on RabbitMQ (a vhost of its own on the
 * shared node). Each combination uses its own queue.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createApp } from '@q/core';
import type { App } from '@q/core';
import { freePort, missingRedisServer, privateRedis, rabbitVhost, runsHere } from '@q/test-services';
import type { PrivateRedis, TestVhost } from '@q/test-services';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUNS_KEY, TOTAL_KEY } from '../apps/reliability-app.js';
import { rabbitKillBroker, redisKillBroker } from './support/kill-brokers.js';
import type { KillBroker } from './support/kill-brokers.js';
import { killLoop } from './support/kill-loop.js';
import { stopAll, startProcess } from './support/managed-process.js';
import { ROOT, TSX_ARGS } from './support/q-process.js';

const SUITE = 'reliability kill';
const TASKS = 10_000;
const KILL_EVERY_MS = 2000;
const APP = 'e2e/apps/reliability-app.ts';

interface Combination {
  broker: 'redis' | 'rabbitmq';
  pool: 'solo' | 'async' | 'threads' | 'prefork';
  /** `-c`, when not the pool's own. */
  concurrency?: number;
  /**
   * `RELIABILITY_TASK_MS`: without it `async` (anywhere) and `solo` on RabbitMQ (~5,000/s on an idle machine) could
   * drain all 10,000 before the first kill.
   */
  taskMs?: number;
}

const POOLS: readonly Omit<Combination, 'broker'>[] = [
  { pool: 'solo' },
  { pool: 'async', concurrency: 10, taskMs: 5 },
  { pool: 'threads', concurrency: 2 },
  { pool: 'prefork', concurrency: 2 },
];
const COMBINATIONS: readonly Combination[] = [
  ...POOLS.map((p) => ({ ...p, broker: 'redis' as const })),
  ...POOLS.map((p) => ({
    ...p,
    broker: 'rabbitmq' as const,
    ...(p.pool === 'solo' ? { taskMs: 1 } : {}),
  })),
];

const ok = runsHere(SUITE, [missingRedisServer()]);
const vhost: TestVhost | null = ok ? await rabbitVhost(`${SUITE} (RabbitMQ)`, 'e2e-kill') : null;

describe.skipIf(!ok)('acksLate tasks while the worker is killed with SIGKILL every 2 s', () => {
  let dir: string;
  let server: PrivateRedis;
  let db0: Redis;
  let ledger: Redis;
  let ledgerUrl: string;
  const brokers = new Map<Combination['broker'], KillBroker>();
  const clients: App[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'q-kill-'));
    server = privateRedis(await freePort(), dir);
    await server.start();
    db0 = new Redis(`redis://127.0.0.1:${server.port}/0`, { maxRetriesPerRequest: 2 });
    ledger = new Redis(`redis://127.0.0.1:${server.port}/1`, { maxRetriesPerRequest: 2 });
    await db0.config('SET', 'appendonly', 'no'); // nothing restarts this server: no fsync per write
    ledgerUrl = `redis://127.0.0.1:${server.port}/1`;
    brokers.set('redis', redisKillBroker(server.port, db0));
    if (vhost) brokers.set('rabbitmq', rabbitKillBroker(vhost));
  }, 30_000);

  afterAll(async () => {
    await stopAll(2000);
    await Promise.all(clients.map((c) => c.close()));
    db0?.disconnect();
    ledger?.disconnect();
    await server?.stop();
    await vhost?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  const progress = async () => {
    const [distinct, total] = await Promise.all([ledger.hlen(RUNS_KEY), ledger.get(TOTAL_KEY)]);
    return { distinct, total: Number(total ?? 0) };
  };

  for (const c of COMBINATIONS) {
    const label = `${c.broker}/${c.pool}${c.concurrency ? ` -c ${c.concurrency}` : ''}`;
    it(`${label}: every one of ${TASKS} tasks runs, nothing is left in the queue; duplicates counted`, async (ctx) => {
      const broker = brokers.get(c.broker);
      if (!broker) return ctx.skip(); // no RabbitMQ on this machine (rabbitVhost said so; in CI it throws)
      const queue = `kill.${c.pool}`;
      await Promise.all([db0.flushdb(), ledger.flushdb()]);
      const t0 = Date.now();

      const client = createApp({ name: 'kill-client', broker: broker.url, backend: null });
      clients.push(client);
      for (let sent = 0; sent < TASKS; sent += 500) {
        const batch = Array.from({ length: Math.min(500, TASKS - sent) }, (_, k) => client.sendTask('reliability.record', [sent + k], {}, { queue }));
        await Promise.all(batch);
      }
      const publishMs = Date.now() - t0;

      const args = [...TSX_ARGS, 'packages/cli/src/bin.ts', '-A', APP, '-b', broker.url, '-l', 'warning', 'worker',
        '-P', c.pool, ...(c.concurrency ? ['-c', String(c.concurrency)] : []), '-Q', queue, '-n', `kill-${c.pool}@%h`,
        '--without-mingle', '--without-gossip', '--without-heartbeat'];
      const env = { RELIABILITY_LEDGER: ledgerUrl, RELIABILITY_TASK_MS: String(c.taskMs ?? 0) };
      const { kills, worker, cycles } = await killLoop({
        start: () => startProcess(process.execPath, args, { cwd: ROOT, env }),
        progress,
        expected: TASKS,
        intervalMs: KILL_EVERY_MS,
        timeoutMs: 300_000,
      });

      // the last worker runs what the killed ones left unacknowledged (Redis: after the visibility timeout)
      const settleBy = Date.now() + 30_000;
      let left = await broker.leftIn(queue);
      while (left !== null && Date.now() < settleBy) {
        await sleep(250);
        left = await broker.leftIn(queue);
      }
      expect(left, 'left in the queue').toBeNull();
      expect(await worker.stop(10_000), worker.output().slice(-2000)).toBe(0);
      const wallMs = Date.now() - t0;

      const runs = await ledger.hgetall(RUNS_KEY);
      const counts = Object.entries(runs).map(([n, count]) => [Number(n), Number(count)] as const);
      const missing = TASKS - counts.length;
      expect(missing, 'tasks that never ran').toBe(0);
      expect(new Set(counts.map(([n]) => n))).toEqual(new Set(Array.from({ length: TASKS }, (_, n) => n)));
      const total = counts.reduce((sum, [, count]) => sum + count, 0);
      expect(total, 'runs in the hash = the run counter').toBe((await progress()).total);
      const duplicates = counts.filter(([, count]) => count > 1).length;
      expect(kills, 'the worker was killed mid-run at least once').toBeGreaterThan(0);
      const mean = (xs: number[]) => (xs.length === 0 ? 0 : Math.round(xs.reduce((a, b) => a + b, 0) / xs.length));
      process.stderr.write(
        `kill test ${label}: ${TASKS - missing}/${TASKS} ran, ${duplicates} duplicated (${total - TASKS} extra runs), ` +
          `${kills} SIGKILLs, publish ${publishMs} ms, wall ${(wallMs / 1000).toFixed(1)} s ` +
          `(per killed worker: first run ${mean(cycles.map((x) => x.firstRunMs))} ms after spawn, ${mean(cycles.map((x) => x.runs))} runs)\n`,
      );
    }, 400_000);
  }
});
