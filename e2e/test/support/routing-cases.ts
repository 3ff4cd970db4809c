/**
 * The cases of broadcast queues and worker-direct queues between q and Python Celery 5.2.6, whatever the broker:
 * two q workers (the real CLI) and one Python worker consume the broadcast queue `bc` (kombu's `Broadcast('bc')` on
 * the Python side, `broadcastQueue('bc')` on the q side) with `worker_direct` on; a task broadcast by either client
 * runs on all three, and a task sent to one worker's direct queue by either client runs there alone.
 *
 * Results and the ledger (`tasks.record` appends `<q|python>:<n>`) live in a private redis-server the suite starts
 * (db 0 and db 1): every shared Redis db is taken.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from '@q/core';
import { workerDirect } from '@q/core';
import { freePort, privateRedis } from '@q/test-services';
import { Redis } from 'ioredis';
import { expect, it } from 'vitest';
import type { ManagedProcess } from './managed-process.js';
import { expectOk, startPythonWorker } from './python-celery.js';
import type { InteropEnv, PythonClient } from './python-celery.js';
import { startQWorker } from './q-worker.js';
import type { Recorded } from './shared-queue-cases.js';

/** The broadcast queue both sides declare. */
export const BROADCAST_QUEUE = 'bc';
/** Node names of the three workers (fixed: the direct queues are named after them). */
export const NODES = { q1: 'q1@routing', q2: 'q2@routing', py: 'py@routing' } as const;

/** A private redis-server for results and the ledger. */
export interface RoutingRedis {
  /** `redis://127.0.0.1:<port>/<db>`. */
  url(db: number): string;
  /** The ledger (db 1). */
  readonly ledger: Redis;
  stop(): Promise<void>;
}

/** Starts a private redis-server on a free port (files in a temp dir removed by `stop`). */
export async function startRoutingRedis(): Promise<RoutingRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'q-e2e-routing-'));
  const port = await freePort();
  const server = privateRedis(port, dir);
  await server.start();
  const url = (db: number): string => `redis://127.0.0.1:${port}/${db}`;
  const ledger = new Redis(url(1), { maxRetriesPerRequest: 2 });
  return {
    url,
    ledger,
    async stop() {
      await ledger.quit().catch(() => ledger.disconnect());
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Both sides' settings: the broadcast queue declared, direct queues on. */
export function routingEnv(urls: InteropEnv): InteropEnv {
  return {
    ...urls,
    broadcastQueues: [BROADCAST_QUEUE],
    celeryConf: { worker_direct: true },
    qConfig: { task: { queues: [{ name: BROADCAST_QUEUE, broadcast: true }] }, worker: { direct: true } },
  };
}

/** The three workers. */
export interface RoutingWorkers {
  q1: ManagedProcess;
  q2: ManagedProcess;
  py: ManagedProcess;
}

/** Starts two q workers and one Python worker consuming the broadcast queue (and each its direct queue). */
export async function startRoutingWorkers(python: string, urls: InteropEnv): Promise<RoutingWorkers> {
  const q = (node: string) => startQWorker(urls, ['-Q', BROADCAST_QUEUE, '-c', '1', '-n', node, '--without-gossip', '--without-mingle']);
  const [q1, q2, py] = await Promise.all([q(NODES.q1), q(NODES.q2), startPythonWorker(python, urls, { hostname: NODES.py, queues: [BROADCAST_QUEUE] })]);
  return { q1, q2, py };
}

/** What the cases run against (read when each case runs, after the suite's `beforeAll`). */
export interface RoutingSuite {
  /** A q client declaring `broadcastQueue('bc')`. */
  app(): App;
  client(): PythonClient;
  workers(): RoutingWorkers;
  ledger(): Redis;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The ledger entries of `key`, sorted, once there are `count` of them (then a moment more: no extra run comes). */
async function ledgerOf(ledger: Redis, key: string, count: number): Promise<string[]> {
  await expect.poll(() => ledger.llen(key), { timeout: 15_000 }).toBeGreaterThanOrEqual(count);
  await sleep(300);
  return (await ledger.lrange(key, 0, -1)).sort();
}

/**
 * Waits until all three workers receive broadcasts: a Python worker on Redis subscribes to the fanout channel a
 * little after it says `ready`, and pub/sub keeps nothing for a subscriber that is not there yet.
 */
async function allSubscribed(s: RoutingSuite): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (let n = 0; Date.now() < deadline; n++) {
    await s.app().sendTask('tasks.record', ['warmup', n], {}, { queue: BROADCAST_QUEUE });
    await sleep(250);
    const entries = await s.ledger().lrange('warmup', 0, -1);
    if (entries.includes(`python:${n}`) && entries.filter((e) => e === `q:${n}`).length === 2) return;
  }
  throw new Error('the three workers did not all receive a broadcast within 15 s');
}

/** Registers the cases. */
export function routingCases(s: RoutingSuite): void {
  it('every worker receives broadcasts once all have subscribed', async () => {
    await allSubscribed(s);
  });

  it("a Python client's broadcast task runs on both q workers and the Python worker, once each", async () => {
    const id = await s.client().send('tasks.record', ['bcast-py', 1], {}, { queue: BROADCAST_QUEUE, declare_exchange: true });
    expect(await ledgerOf(s.ledger(), 'bcast-py', 3)).toEqual(['python:1', 'q:1', 'q:1']);
    const { q1, q2, py } = s.workers();
    for (const worker of [q1, q2, py]) expect(worker.output()).toContain(`[${id}] received`);
  });

  it("a q client's broadcast task runs on both q workers and the Python worker, once each", async () => {
    const result = await s.app().sendTask('tasks.record', ['bcast-q', 2], {}, { queue: BROADCAST_QUEUE });
    expect(await ledgerOf(s.ledger(), 'bcast-q', 3)).toEqual(['python:2', 'q:2', 'q:2']);
    const { q1, q2, py } = s.workers();
    for (const worker of [q1, q2, py]) expect(worker.output()).toContain(`[${result.id}] received`);
  });

  it('a q client sends to the Python worker alone by its node name (worker_direct)', async () => {
    const result = await s.app().sendTask<Recorded>('tasks.record', ['direct-py', 3], {}, workerDirect(NODES.py));
    expect(await result.get({ timeout: 15 })).toMatchObject({ value: 3, by: 'python' });
    expect(await ledgerOf(s.ledger(), 'direct-py', 1)).toEqual(['python:3']);
  });

  it('a Python client sends to one q worker alone by its node name (worker_direct)', async () => {
    const id = await s.client().send('tasks.record', ['direct-q', 4], {}, { worker_direct: NODES.q2 });
    expect(expectOk(await s.client().get(id, 15)).value).toMatchObject({ value: 4, by: 'q' });
    expect(await ledgerOf(s.ledger(), 'direct-q', 1)).toEqual(['q:4']);
    const { q1, q2 } = s.workers();
    expect(q2.output()).toContain(`[${id}] received`);
    expect(q1.output()).not.toContain(id);
  });
}
