/**
 * Fuzzing through a real Redis (a private redis-server this file starts): generated malformed kombu envelopes are
 * LPUSHed raw into the worker's queue list, generated remote-control requests published to `celery.pidbox`, and
 * generated result documents SET where a client reads them. An in-process worker with a recording logger consumes
 * them. It must stay up, give every message exactly one logged outcome (rejected with a reason, an unknown task,
 * discarded as expired, or — for a mutated but still valid message — run), leave nothing in the queue or unacked,
 * answer a ping and run a good task afterwards; `AsyncResult.get` on a garbage document settles with a typed error.
 *
 * Seed {@link FUZZ_SEED}; `Q_FUZZ_RUNS=100000` for a longer run (its share of the total), `Q_FUZZ_SEED` to replay.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { createApp, QError } from '@q/core';
import type { App } from '@q/core';
import { redisBackend } from '@q/backend-redis';
import { redisTransport } from '@q/transport-redis';
import { createWorker } from '@q/worker';
import type { Worker } from '@q/worker';
import { REDIS, freePort, privateRedis, recordingLogger, servicesAvailable } from '@q/test-services';
import type { PrivateRedis, RecordingLogger } from '@q/test-services';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTROL_NODE, FUZZ_SEED, FUZZ_TASK, argsOfEnvelope, fuzzControlBody, fuzzEnvelope, fuzzResultDocument, fuzzRuns } from './support/fuzz-messages.js';

const ok = await servicesAvailable('reliability fuzz (Redis)', REDIS);

const TASKS = fuzzRuns(4_000, 0.4);
const CONTROL = fuzzRuns(1_500, 0.15);
const RESULTS = fuzzRuns(500, 0.05);
const HOST = CONTROL_NODE;

/** Every way a task message ends, as the worker and the transport log it. */
const OUTCOMES: { name: string; msg: RegExp }[] = [
  { name: 'malformed envelope', msg: /^malformed envelope: (rejected|dropped)$/ },
  { name: 'cannot be decoded', msg: /^Rejecting a message that cannot be decoded: / },
  { name: 'unregistered', msg: /^Received unregistered task of type / },
  { name: 'expired', msg: /^Discarding revoked task: / },
  { name: 'received', msg: new RegExp(`^Task ${FUZZ_TASK.replace('.', '\\.')}\\[.*\\] received$`) },
];

const CONTROL_OUTCOMES: { name: string; msg: RegExp }[] = [
  { name: 'malformed', msg: /^malformed remote-control request: dropped$/ },
  { name: 'expired', msg: /^remote-control request .* expired: ignored$/ },
  // An unknown method is received too (then answered with an error, logged as well).
  { name: 'received', msg: /^pidbox received method / },
];

function tally(logger: RecordingLogger, outcomes: readonly { name: string; msg: RegExp }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) counts[o.name] = 0;
  for (const line of logger.lines) {
    for (const o of outcomes) if (o.msg.test(line.msg)) counts[o.name] = (counts[o.name] ?? 0) + 1;
  }
  return counts;
}

const total = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0);

/** A bound in ms that grows with a longer run (`Q_FUZZ_RUNS`): `base`, or `perInput` ms for each of `inputs`. */
const bound = (base: number, inputs: number, perInput = 40): number => Math.max(base, inputs * perInput);

async function until(check: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

let dir: string;
let server: PrivateRedis;
let raw: Redis;
let app: App;
let worker: Worker;
let logger: RecordingLogger;
let ran = 0;
/** The arguments of each run of the fuzz task, as JSON. */
const runs: string[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);

beforeAll(async () => {
  if (!ok) return;
  process.on('unhandledRejection', onUnhandled);
  dir = mkdtempSync(path.join(os.tmpdir(), 'q-fuzz-redis-'));
  server = privateRedis(await freePort(), dir);
  await server.start();
  const url = `redis://127.0.0.1:${server.port}`;
  raw = new Redis(`${url}/0`, { maxRetriesPerRequest: 2 });
  logger = recordingLogger();
  app = createApp({ name: 'fuzz', logger, broker: redisTransport({ url: `${url}/0`, logger }), backend: redisBackend(`${url}/1`) });
  app.task(FUZZ_TASK, (...args: unknown[]) => {
    ran += 1;
    runs.push(JSON.stringify(args));
    return args.length;
  });
  app.task('fuzz.good', (a: number, b: number) => a + b);
  worker = createWorker(app, { logger, hostname: HOST, concurrency: 4 });
  await worker.start();
}, 30_000);

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await worker?.stop({ graceful: false }).catch(() => undefined);
  raw?.disconnect();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!ok)('fuzz through a real Redis', () => {
  it(`${TASKS} malformed task envelopes: each one logged once, nothing left, the worker still runs a good task`, async () => {
    const envelopes = fc.sample(fuzzEnvelope, { seed: FUZZ_SEED, numRuns: TASKS });
    logger.clear();
    const started = Date.now();
    // kombu's layout: LPUSH onto the queue's list (`celery`), the worker pops from the other end.
    for (let i = 0; i < envelopes.length; i += 100) await raw.lpush('celery', ...envelopes.slice(i, i + 100));
    await until(() => total(tally(logger, OUTCOMES)) >= TASKS, bound(120_000, TASKS, 30));
    const counts = tally(logger, OUTCOMES);
    expect(total(counts)).toBe(TASKS);
    // A received task either ran (a mutated but valid message) or failed with a reason (e.g. an invalid embed).
    const failed = (): number => logger.filter({ level: 'error', msg: /^Task fuzz\.noop\[.*\] raised / }).length;
    await until(() => ran + failed() >= (counts.received ?? 0), 10_000);
    // The measured figure, for docs/guide/reliability.md.
    console.log(`fuzz redis tasks: ${TASKS} sent (seed ${FUZZ_SEED}) in ${Date.now() - started} ms:`, JSON.stringify(counts), `ran ${ran}, failed ${failed()}`);
    expect(ran + failed()).toBe(counts.received);
    // A message that ran was a valid one: it ran with the arguments one of the messages sent carried.
    const sentArgs = new Set(envelopes.map(argsOfEnvelope));
    for (const args of runs) expect(sentArgs.has(args), args).toBe(true);
    await until(async () => (await raw.llen('celery')) === 0 && (await raw.hlen('unacked')) === 0, 10_000);
    expect(await raw.llen('celery')).toBe(0);
    expect(await raw.hlen('unacked')).toBe(0);
    // Every rejection names its reason.
    for (const line of logger.filter({ msg: /^Rejecting a message that cannot be decoded: / })) expect(line.msg.length).toBeGreaterThan('Rejecting a message that cannot be decoded: '.length);
    const good = await app.sendTask('fuzz.good', [2, 3]);
    expect(await good.get({ timeout: 15 })).toBe(5);
    expect(unhandled).toEqual([]);
  }, bound(150_000, TASKS));

  it(`${CONTROL} malformed remote-control requests: each one logged once, the worker still answers a ping`, async () => {
    const bodies = fc.sample(
      fc.tuple(fuzzControlBody, fc.record({ clock: fc.option(fc.oneof(fc.integer(), fc.string())), expires: fc.option(fc.oneof(fc.constant(0), fc.constant(1), fc.double(), fc.string())) })),
      { seed: FUZZ_SEED, numRuns: CONTROL },
    );
    logger.clear();
    const transport = await app.getTransport();
    for (const [body, headers] of bodies) {
      const h: Record<string, unknown> = {};
      if (headers.clock !== null) h.clock = headers.clock;
      if (headers.expires !== null) h.expires = headers.expires;
      await transport.publish({ body, contentType: 'application/json', contentEncoding: 'utf-8', headers: h, properties: {} }, { exchange: 'celery.pidbox', routingKey: '', exchangeType: 'fanout' });
    }
    await until(() => total(tally(logger, CONTROL_OUTCOMES)) >= CONTROL, bound(60_000, CONTROL, 30));
    const counts = tally(logger, CONTROL_OUTCOMES);
    // The measured figure, for docs/guide/reliability.md.
    console.log(`fuzz redis control: ${CONTROL} sent (seed ${FUZZ_SEED}):`, JSON.stringify(counts));
    const unknown = logger.filter({ msg: /^No such control command: / }).length;
    // The measured figure, for docs/guide/reliability.md.
    console.log(`fuzz redis control: ${unknown} of them named no command`);
    expect(total(counts)).toBe(CONTROL);
    const replies = await app.control.ping({ destination: [HOST], timeout: 5 });
    expect(replies).toEqual([{ [HOST]: { ok: 'pong' } }]);
    expect(unhandled).toEqual([]);
  }, bound(90_000, CONTROL));

  it(`${RESULTS} garbage result documents: AsyncResult.get settles with a value or a typed error`, async () => {
    const docs = fc.sample(fuzzResultDocument, { seed: FUZZ_SEED, numRuns: RESULTS });
    const results = new Redis(`redis://127.0.0.1:${server.port}/1`, { maxRetriesPerRequest: 2 });
    const outcome = { value: 0, typed: 0, untyped: [] as unknown[] };
    try {
      for (let i = 0; i < docs.length; i += 50) {
        const batch = docs.slice(i, i + 50).map((doc) => ({ id: randomUUID(), doc }));
        await Promise.all(batch.map(({ id, doc }) => results.set(`celery-task-meta-${id}`, doc)));
        await Promise.all(
          batch.map(async ({ id }) => {
            try {
              await app.asyncResult(id).get({ timeout: 0.5 });
              outcome.value += 1;
            } catch (err) {
              if (err instanceof QError) outcome.typed += 1;
              else outcome.untyped.push(err);
            }
          }),
        );
      }
    } finally {
      results.disconnect();
    }
    // The measured figure, for docs/guide/reliability.md.
    console.log(`fuzz redis result documents: ${RESULTS} (seed ${FUZZ_SEED}): ${outcome.value} values, ${outcome.typed} typed errors`);
    expect(outcome.untyped).toEqual([]);
    expect(outcome.value + outcome.typed).toBe(RESULTS);
    expect(unhandled).toEqual([]);
  }, bound(90_000, RESULTS));
});
