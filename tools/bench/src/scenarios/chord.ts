/**
 * Chord (Redis, broker and results): `chord([noop.s() × N], chord_body.s())`, the body counting the header's
 * results. Two ways, the same for every system:
 *
 * - `running`: the worker is started and ready first (q: its READY line; Celery: the client's first no-op round
 *   trip), the client runs one warm-up chord, builds the N signatures and the chord, and times from the apply call
 *   until the body's result is stored (the client GETs its result key every 5 ms; not `get()`: Celery's client
 *   would spend time growing with N² draining the header results its apply subscribed it to). Client enqueueing
 *   and worker draining overlap, as in an application.
 * - `preloaded`: the client applies the chord with no worker running (not timed); then the worker starts and the
 *   clock runs, as in the drain rows, from the first poll that sees a header message taken to the first poll that
 *   sees the body's result stored (`celery-task-meta-<body id>`), every 5 ms. Comparable with the drain with
 *   results: the same work plus what the chord adds (each header task's chord-part return, the body).
 *
 * Each checks the body's result: N (every header result reached the body).
 */
import { LIMITS, QUEUE } from '../config.js';
import { RedisBroker } from '../brokers/redis.js';
import type { ChordMeasure } from '../results.js';
import type { Context, System, WorkerConfig } from '../peers/types.js';
import { withWorker } from './worker-run.js';

export type ChordMode = 'running' | 'preloaded';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function redisOf(ctx: Context): RedisBroker {
  if (!(ctx.broker instanceof RedisBroker)) throw new Error('the chord scenario runs on Redis only');
  return ctx.broker;
}

/** The body's stored result, or null while there is none; throws on a failed body. */
async function bodyResult(broker: RedisBroker, bodyId: string): Promise<unknown> {
  const raw = await broker.redis.get(`celery-task-meta-${bodyId}`);
  if (raw === null) return null;
  const meta = JSON.parse(raw) as { status?: string; result?: unknown };
  if (meta.status !== 'SUCCESS') throw new Error(`chord body ${bodyId} stored ${meta.status}: ${JSON.stringify(meta.result).slice(0, 300)}`);
  return meta.result;
}

export async function chordScenario(ctx: Context, system: System, config: WorkerConfig, n: number, warmup: number, mode: ChordMode): Promise<ChordMeasure> {
  const client = system.chord;
  if (!client) throw new Error(`${system.title} has no chord client`);
  const broker = redisOf(ctx);
  await broker.reset();
  try {
    return mode === 'running' ? await running(ctx, system, config, n, warmup) : await preloaded(ctx, broker, system, config, n);
  } finally {
    await broker.reset();
  }
}

async function running(ctx: Context, system: System, config: WorkerConfig, n: number, warmup: number): Promise<ChordMeasure> {
  const client = system.chord!;
  const run = await withWorker(ctx, system, config, true, async (child) => {
    const died = child.wait().then((code) => {
      throw new Error(`${config.label} exited (${code}) during the chord; output:\n${child.tail}`);
    });
    try {
      return await Promise.race([client.run(ctx, n, warmup), died]);
    } finally {
      died.catch(() => undefined);
    }
  });
  // The worker's CPU here includes its start-up wait and the warm-up chord: not reported per task.
  return { perSecond: n / run.value.seconds, seconds: run.value.seconds, applySeconds: run.value.applySeconds, cpuUsPerTask: Number.NaN, rss: run.rss };
}

async function preloaded(ctx: Context, broker: RedisBroker, system: System, config: WorkerConfig, n: number): Promise<ChordMeasure> {
  const client = system.chord!;
  const { bodyId, applySeconds } = await client.apply(ctx, n);
  const queued = await broker.redis.llen(QUEUE);
  if (queued !== n) throw new Error(`applying the chord left ${queued} messages in ${QUEUE}, expected the ${n} header tasks`);
  const run = await withWorker(ctx, system, config, true, async (child) => {
    const spawnedAt = performance.now();
    let t0: number | null = null;
    for (;;) {
      const now = performance.now();
      if (child.exited) throw new Error(`${config.label} exited during the chord; output:\n${child.tail}`);
      if (t0 === null && now - spawnedAt > LIMITS.workerStartMs) throw new Error(`${config.label} took no message within ${LIMITS.workerStartMs} ms; output:\n${child.tail}`);
      if (t0 !== null && now - t0 > LIMITS.scenarioMs) throw new Error(`${config.label} did not complete the chord of ${n} within ${LIMITS.scenarioMs} ms`);
      const [waiting, value] = await Promise.all([broker.redis.llen(QUEUE), bodyResult(broker, bodyId)]);
      const at = performance.now();
      if (t0 === null && waiting < n) t0 = at;
      if (t0 !== null && value !== null) {
        if (value !== n) throw new Error(`chord body returned ${JSON.stringify(value)}, expected ${n}`);
        return (at - t0) / 1000;
      }
      await sleep(LIMITS.pollMs);
    }
  });
  return { perSecond: n / run.value, seconds: run.value, applySeconds, cpuUsPerTask: (run.cpuMs * 1000) / n, rss: run.rss };
}
