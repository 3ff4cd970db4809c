/**
 * Broker and backend restarts and partitions under a real `q worker` process (issue 20, item 2). Every server a
 * test stops, starts or pauses is a PRIVATE process it starts itself (`privateRedis`: a free port, AOF with
 * `appendfsync always`; `privateNode`: a RabbitMQ node of its own); the shared servers are never touched.
 *
 * - Redis broker + backend restarted twice while 2,000 tasks are in flight: all 2,000 results stored.
 * - RabbitMQ broker (durable queue, persistent messages) restarted twice, results in a private Redis: the same.
 * - The result backend down for 5 s while tasks finish: the stores wait and retry (ioredis' offline queue with
 *   capped exponential reconnect backoff, see `@q/redis-client`); every result arrives after the recovery.
 * - A partition (SIGSTOP of the server process, longer than the Redis `socket_timeout` or the AMQP heartbeat):
 *   the worker notices (a log line), recovers after SIGCONT, and tasks published afterwards run.
 *
 * "Resumed" is measured from the moment the broker is back (Redis answers PING; RabbitMQ's AMQP port opens) to
 * the first task consumed after it (Redis: the queue list shrinks; RabbitMQ: a new result is stored). The figures
 * are printed on stderr (`reliability-restart: …`) and asserted only against a generous 15 s bound.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type App, createApp } from '@q/core';
import { freePort, missingRabbitmqServer, missingRedisServer, portOpen, privateNode, privateRedis, rabbitmqBinDir, runsHere, type PrivateNode, type PrivateRedis } from '@q/test-services';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { stopAll, type ManagedProcess } from './support/managed-process.js';
import { RESTART_TASK, loggedAt, missingResults, msUntil, pause, probeClient, startRestartWorker } from './support/restart-probes.js';

const runs = runsHere('e2e reliability restarts', [missingRedisServer(), missingRabbitmqServer()]);

/** Tasks of the restart runs. */
const TASKS = 2000;
/** Resumption bound asserted (the figure is reported; the target is 5 s). */
const RESUME_BOUND_MS = 15_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const report = (line: string): void => void process.stderr.write(`reliability-restart: ${line}\n`);

/** A private redis-server in a temp dir of its own, stopped and removed after the test. */
async function ownRedis(): Promise<{ server: PrivateRedis; url: string; probe: Redis }> {
  const dir = mkdtempSync(join(tmpdir(), 'q-e2e-restart-'));
  const server = privateRedis(await freePort(), dir);
  await server.start();
  const url = `redis://127.0.0.1:${server.port}/0`;
  const probe = probeClient(url);
  onTestFinished(async () => {
    probe.disconnect();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return { server, url, probe };
}

/** A `q worker` process of the restart app (see {@link startRestartWorker}), stopped after the test. */
async function worker(...args: Parameters<typeof startRestartWorker>): Promise<ManagedProcess> {
  const started = await startRestartWorker(...args);
  onTestFinished(async () => void (await started.stop()));
  return started;
}

/** A client app publishing to `broker`, closed after the test. */
function client(broker: string, backend: string): App {
  const app = createApp({ name: 'restart-client', broker, backend });
  onTestFinished(() => app.close());
  return app;
}

/** Publishes `restart.work(n)` for n in [0, count); the ids by n. */
async function publish(app: App, count: number, from = 0): Promise<string[]> {
  const ids: string[] = [];
  for (let n = from; n < from + count; n += 100) {
    const batch = await Promise.all(Array.from({ length: Math.min(100, from + count - n) }, (_, k) => app.sendTask(RESTART_TASK, [n + k])));
    ids.push(...batch.map((r) => r.id));
  }
  return ids;
}

/** Waits until every one of `ids` (sent with `from`, `from + 1`, …) has its SUCCESS result in `redis`; resolves to the ms it took. */
function allResults(redis: Redis, ids: readonly string[], timeoutMs: number, from = 0): Promise<number> {
  let missing: string[] = [...ids];
  return msUntil(
    async () => (missing = await missingResults(redis, ids, from)).length,
    (n) => n === 0,
    timeoutMs,
    () => `every result (${missing.length} of ${ids.length} missing, e.g. ${missing.slice(0, 3).join(', ')})`,
  );
}

describe.skipIf(!runs)('reliability: broker and backend restarts, partitions', () => {
  afterAll(() => stopAll());

  it(`redis broker + backend restarted twice under ${TASKS} tasks: every result stored, consuming resumes`, async () => {
    const { server, url, probe } = await ownRedis();
    const q = await worker(url, url, { taskMs: 20, args: ['-c', '4'] });
    const ids = await publish(client(url, url), TASKS);
    const queued = (): Promise<number> => probe.llen('celery');

    const resumedMs: number[] = [];
    let next = TASKS - 300;
    for (let restart = 0; restart < 2; restart++) {
      await msUntil(queued, (n) => n <= next, 30_000, `the queue to drain to ${next}`);
      await server.stop();
      await sleep(2000);
      await server.start();
      // The first length the probe reads once the server is back (its reconnect takes ≤ 10 ms); the figure is the
      // time from the server's first PONG to a shorter list, an upper bound of the resumption.
      const back = Date.now();
      let atRestart = -1;
      await msUntil(queued, (n) => ((atRestart = n), true), 5000, 'the probe to reconnect');
      await msUntil(queued, (n) => n < atRestart, RESUME_BOUND_MS, 'consuming to resume');
      resumedMs.push(Date.now() - back);
      next = atRestart - 500;
    }
    const drainMs = await allResults(probe, ids, 60_000);
    expect(await probe.llen('celery')).toBe(0);
    expect(await probe.hlen('unacked')).toBe(0);
    expect(q.child.exitCode).toBeNull();
    report(`redis restart x2, ${TASKS} tasks: none lost; consuming resumed ${resumedMs.join(' / ')} ms after the server was back; last result ${drainMs} ms after the second resumption`);
  }, 120_000);

  it('result backend down for 5 s while tasks finish: the stores wait and retry, every result arrives after it is back', async () => {
    const broker = await ownRedis();
    const results = await ownRedis();
    const q = await worker(broker.url, results.url, { taskMs: 20, args: ['-c', '4'] });
    const ids = await publish(client(broker.url, results.url), 600);
    await msUntil(() => results.probe.dbsize(), (n) => n >= 100, 30_000, '100 results before the outage');
    await results.server.stop();
    const queuedAtStop = await broker.probe.llen('celery');
    await sleep(5000);
    // Tasks were taken while the backend was down (the worker keeps its prefetch full), their stores waiting.
    const queuedAtStart = await broker.probe.llen('celery');
    await results.server.start();
    const drainMs = await allResults(results.probe, ids, 60_000);
    expect(queuedAtStart).toBeLessThan(queuedAtStop);
    expect(q.output()).not.toMatch(/could not store/);
    expect(q.child.exitCode).toBeNull();
    report(`result backend down 5 s under 600 tasks: none lost, no store given up; ${queuedAtStop - queuedAtStart} tasks taken meanwhile; every result stored ${drainMs} ms after the backend was back`);
  }, 90_000);

  it('partition: the redis broker paused (SIGSTOP) longer than socket_timeout is noticed; after SIGCONT tasks run again', async () => {
    const broker = await ownRedis();
    const results = await ownRedis();
    const pid = Number(/process_id:(\d+)/.exec(await broker.probe.info('server'))?.[1]);
    expect(pid).toBeGreaterThan(0);
    const url = `${broker.url}?socket_timeout=2`;
    const q = await worker(url, results.url, { taskMs: 5, args: ['-c', '4'] });
    const first = await publish(client(url, results.url), 50);
    await allResults(results.probe, first, 30_000);
    const logged = q.output().length;
    const pausedAt = Date.now();
    pause(pid, true);
    try {
      await sleep(6000);
    } finally {
      pause(pid, false);
    }
    const resumedAt = Date.now();
    const noticedAt = loggedAt(q.output().slice(logged), /reserve failed; retrying.*timed out/i);
    const second = await publish(client(url, results.url), 50, 50);
    await allResults(results.probe, second, RESUME_BOUND_MS, 50).catch((err: unknown) => {
      throw new Error(`${String(err)}\nworker output since the pause:\n${q.output().slice(logged)}`);
    });
    expect(noticedAt).not.toBeNull();
    expect(q.child.exitCode).toBeNull();
    report(
      `redis broker paused 6 s (socket_timeout 2 s): noticed ("reserve failed; retrying … Command timed out") ${(noticedAt ?? 0) - pausedAt} ms into the pause; ` +
        `50 tasks published after SIGCONT all ran within ${Date.now() - resumedAt} ms`,
    );
  }, 60_000);

  describe('on a private RabbitMQ node', () => {
    let node: PrivateNode;
    let bootMs = 0;
    beforeAll(async () => {
      node = await privateNode('q-e2e-restart', rabbitmqBinDir() ?? '');
      bootMs = await node.start();
    }, 60_000);
    afterAll(async () => {
      await stopAll();
      await node?.destroy();
    }, 60_000);

    /**
     * Boots the node again and measures, from the moment its AMQP port opens, how long until `progressed` sees a
     * task consumed; resolves to [boot ms, resumption ms].
     */
    async function restartAndMeasure(progress: () => Promise<number>): Promise<[number, number]> {
      const booting = node.start();
      let failed: unknown = null;
      booting.catch((err: unknown) => (failed = err));
      await msUntil(async () => {
        if (failed !== null) throw failed;
        return portOpen(node.port);
      }, (open) => open, 60_000, 'the AMQP port to open');
      const back = Date.now();
      const base = await progress();
      await msUntil(progress, (n) => n > base, RESUME_BOUND_MS, 'consuming to resume');
      const resumed = Date.now() - back;
      return [await booting, resumed];
    }

    it(`broker restarted twice under ${TASKS} tasks (durable queue, persistent messages): every result stored`, async () => {
      const results = await ownRedis();
      const broker = node.url;
      const q = await worker(broker, results.url, { taskMs: 20, args: ['-c', '4'] });
      const ids = await publish(client(broker, results.url), TASKS);
      const stored = (): Promise<number> => results.probe.dbsize();

      const figures: string[] = [];
      let next = 300;
      for (let restart = 0; restart < 2; restart++) {
        await msUntil(stored, (n) => n >= next, 30_000, `${next} results before restart ${restart + 1}`);
        const t0 = Date.now();
        await node.stop();
        const stopMs = Date.now() - t0;
        await sleep(2000);
        const [boot, resumed] = await restartAndMeasure(stored);
        figures.push(`stop ${stopMs} ms, boot ${boot} ms, resumed ${resumed} ms`);
        next = (await stored()) + 500;
      }
      const drainMs = await allResults(results.probe, ids, 60_000);
      const [[, ready, unacked] = []] = (await node.queues(['name', 'messages_ready', 'messages_unacknowledged'])).filter(([n]) => n === 'celery');
      expect([ready, unacked]).toEqual(['0', '0']);
      await q.waitFor(/AMQP reconnected/, 1000);
      expect(q.child.exitCode).toBeNull();
      report(`rabbitmq restart x2 (first boot ${bootMs} ms), ${TASKS} tasks: none lost; ${figures.join('; ')} (resumed = AMQP port open → a new result); last result ${drainMs} ms later`);
    }, 150_000);

    it('partition: the node paused (SIGSTOP) longer than a 2 s heartbeat is noticed; the worker reconnects after SIGCONT and tasks run', async () => {
      const results = await ownRedis();
      const broker = `${node.url}?heartbeat=2`;
      const q = await worker(broker, results.url, { taskMs: 5, args: ['-c', '4'] });
      const first = await publish(client(broker, results.url), 50);
      await allResults(results.probe, first, 30_000);
      const beam = Number(readFileSync(join(node.dir, 'node.pid'), 'utf8').trim());
      expect(beam).toBeGreaterThan(0);
      const logged = q.output().length;
      const pausedAt = Date.now();
      pause(beam, true);
      try {
        await sleep(8000);
      } finally {
        pause(beam, false);
      }
      const resumedAt = Date.now();
      await q.waitFor(/AMQP reconnected/, RESUME_BOUND_MS);
      const since = q.output().slice(logged);
      const lostAt = loggedAt(since, /AMQP connection to .* lost/);
      const reconnectedAt = loggedAt(since, /AMQP reconnected/);
      const second = await publish(client(broker, results.url), 50, 50);
      await allResults(results.probe, second, RESUME_BOUND_MS, 50).catch((err: unknown) => {
        throw new Error(`${String(err)}\nworker output since the pause:\n${since}`);
      });
      expect(lostAt).not.toBeNull();
      expect(lostAt ?? 0).toBeLessThan(resumedAt);
      expect(q.child.exitCode).toBeNull();
      report(
        `rabbitmq node paused 8 s (heartbeat 2 s): connection lost noticed ${(lostAt ?? 0) - pausedAt} ms into the pause ` +
          `(${/AMQP connection to .* lost \(([^)]*)\)/.exec(since)?.[1] ?? '?'}); reconnected ${(reconnectedAt ?? 0) - resumedAt} ms after SIGCONT; 50 tasks published then all ran`,
      );
    }, 90_000);
  });
});
