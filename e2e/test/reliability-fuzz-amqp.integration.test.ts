/**
 * Fuzzing through a real RabbitMQ (a vhost of this file's own): generated malformed task messages — any body,
 * content type, content encoding, compression and headers of any type — are published with `basic.publish` to a
 * queue with a dead-letter exchange, and generated event messages to `celeryev`. An in-process worker with a
 * recording logger consumes the tasks, an `EventReceiver` the events. The worker must stay up, give every message
 * exactly one logged outcome, dead-letter exactly the rejected ones, leave the queue empty and run a good task
 * afterwards; the receiver must hand on exactly the events `decodeEvents` finds, report every malformed one, and
 * still receive a good event after them.
 *
 * Seed {@link FUZZ_SEED}; `Q_FUZZ_RUNS=100000` for a longer run (its share of the total), `Q_FUZZ_SEED` to replay.
 */
import { SerializationError, createApp } from '@q/core';
import type { App, Message } from '@q/core';
import { EventReceiver, decodeEvents, encodeEvents } from '@q/events';
import { amqpTransport } from '@q/transport-amqp';
import { createWorker } from '@q/worker';
import type { Worker } from '@q/worker';
import { listQueues, rabbitVhost, recordingLogger } from '@q/test-services';
import type { RecordingLogger, TestVhost } from '@q/test-services';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DLX_QUEUES } from '../apps/dlx-app.js';
import { FUZZ_SEED, FUZZ_TASK, argsOf, forAmqp, fuzzEventBody, fuzzRuns, fuzzTaskMessage } from './support/fuzz-messages.js';

const vhost: TestVhost | null = await rabbitVhost('reliability fuzz (RabbitMQ)', 'e2e-fuzz');

const TASKS = fuzzRuns(3_000, 0.3);
const EVENTS = fuzzRuns(1_000, 0.1);

const OUTCOMES: { name: string; msg: RegExp; deadLettered: boolean }[] = [
  { name: 'cannot be decoded', msg: /^Rejecting a message that cannot be decoded: ./, deadLettered: true },
  { name: 'unregistered', msg: /^Received unregistered task of type /, deadLettered: true },
  { name: 'expired', msg: /^Discarding revoked task: /, deadLettered: false },
  { name: 'received', msg: /^Task fuzz\.noop\[.*\] received$/, deadLettered: false },
];

function tally(logger: RecordingLogger): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of OUTCOMES) counts[o.name] = 0;
  for (const line of logger.lines) for (const o of OUTCOMES) if (o.msg.test(line.msg)) counts[o.name] = (counts[o.name] ?? 0) + 1;
  return counts;
}

const sum = (counts: Record<string, number>, which: (name: string) => boolean = () => true): number =>
  Object.entries(counts).reduce((a, [name, n]) => (which(name) ? a + n : a), 0);

/** A bound in ms that grows with a longer run (`Q_FUZZ_RUNS`): `base`, or `perInput` ms for each of `inputs`. */
const bound = (base: number, inputs: number, perInput = 40): number => Math.max(base, inputs * perInput);

async function until(check: () => boolean | Promise<boolean>, ms: number, every = 100): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, every));
}

const depth = (queue: string): number => Number(listQueues(vhost?.name ?? '', ['name', 'messages']).find(([name]) => name === queue)?.[1] ?? -1);

let app: App;
let worker: Worker;
let logger: RecordingLogger;
let ran = 0;
/** The arguments of each run of the fuzz task, as JSON. */
const runs: string[] = [];
let good: (sum: number) => void = () => {};
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);

beforeAll(async () => {
  if (!vhost) return;
  process.on('unhandledRejection', onUnhandled);
  logger = recordingLogger();
  app = createApp({ name: 'fuzz', logger, broker: amqpTransport({ url: vhost.url, logger }), task: { queues: DLX_QUEUES, defaultQueue: 'work' } });
  app.task(FUZZ_TASK, (...args: unknown[]) => {
    ran += 1;
    runs.push(JSON.stringify(args));
    return args.length;
  });
  app.task('fuzz.good', (a: number, b: number) => good(a + b));
  const transport = await app.getTransport();
  await transport.declareExchange({ name: 'dlx', type: 'direct', durable: true, autoDelete: false });
  await transport.declareQueue({ name: 'dead', durable: true, exclusive: false, autoDelete: false });
  await transport.bindQueue({ queue: 'dead', exchange: 'dlx', routingKey: 'dead' });
  worker = createWorker(app, { logger, hostname: 'fuzz@amqp', concurrency: 4 });
  await worker.start();
}, 30_000);

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await worker?.stop({ graceful: false }).catch(() => undefined);
  await vhost?.drop();
});

describe.skipIf(!vhost)('fuzz through a real RabbitMQ', () => {
  it(`${TASKS} malformed task messages: each one logged once, the rejected ones dead-lettered, a good task still runs`, async () => {
    const messages = fc.sample(fuzzTaskMessage, { seed: FUZZ_SEED + 1, numRuns: TASKS }).map(forAmqp);
    logger.clear();
    const started = Date.now();
    const transport = await app.getTransport();
    // A message the client cannot put on the wire (a header table over 64 KiB, a header value AMQP has no type for) is
    // refused at publishing, with a SerializationError.
    let refused = 0;
    for (let i = 0; i < messages.length; i += 100) {
      const batch = messages.slice(i, i + 100);
      const published = await Promise.allSettled(batch.map((m) => transport.publish(m, { exchange: '', routingKey: 'work', exchangeType: 'direct' })));
      for (const p of published) {
        if (p.status === 'fulfilled') continue;
        refused += 1;
        expect(p.reason).toBeInstanceOf(SerializationError);
      }
    }
    const sent = TASKS - refused;
    await until(() => sum(tally(logger)) >= sent, bound(120_000, TASKS, 30));
    const counts = tally(logger);
    expect(sum(counts)).toBe(sent);
    // A received task either ran (a mutated but valid message) or failed with a reason (e.g. an invalid embed).
    const failed = (): number => logger.filter({ level: 'error', msg: /^Task fuzz\.noop\[.*\] raised / }).length;
    await until(() => ran + failed() >= (counts.received ?? 0), 10_000);
    expect(ran + failed()).toBe(counts.received);
    // A message that ran was a valid one: it ran with the arguments one of the messages sent carried.
    const sentArgs = new Set(messages.map(argsOf));
    for (const args of runs) expect(sentArgs.has(args), args).toBe(true);
    const deadLettered = sum(counts, (name) => OUTCOMES.find((o) => o.name === name)?.deadLettered === true);
    await until(() => depth('dead') === deadLettered && depth('work') === 0, 20_000, 1_000);
    // The measured figure, for docs/guide/reliability.md.
    console.log(`fuzz amqp tasks: ${TASKS} generated (seed ${FUZZ_SEED + 1}), ${refused} refused at publishing, ${sent} sent in ${Date.now() - started} ms:`, JSON.stringify(counts), `ran ${ran}, failed ${failed()}, dead-lettered ${depth('dead')}`);
    expect(depth('dead')).toBe(deadLettered);
    expect(depth('work')).toBe(0);
    const done = new Promise<number>((resolve) => (good = resolve));
    await app.sendTask('fuzz.good', [2, 3]);
    expect(await done).toBe(5);
    expect(unhandled).toEqual([]);
  }, bound(180_000, TASKS));

  it(`${EVENTS} malformed event messages: the receiver hands on what decodes, reports the rest, and still receives`, async () => {
    const bodies = fc.sample(fc.tuple(fuzzEventBody, fc.constantFrom('task.received', 'worker.heartbeat', 'task.x', '')), { seed: FUZZ_SEED + 2, numRuns: EVENTS });
    const transport = await app.getTransport();
    let errors = 0;
    const receiver = new EventReceiver({ transport, logger, topology: { eventQueueTtl: 120 }, onError: () => void (errors += 1), localize: false });
    await receiver.start();
    try {
      let expectedEvents = 0;
      let expectedErrors = 0;
      for (const [body, routingKey] of bodies) {
        const message: Message = { body, contentType: 'application/json', contentEncoding: 'utf-8', headers: {}, properties: {} };
        const decoded = decodeEvents(message);
        expectedEvents += decoded.events.length;
        expectedErrors += decoded.errors.length;
        await transport.publish(message, { exchange: 'celeryev', routingKey, exchangeType: 'topic' });
      }
      await until(() => receiver.received >= expectedEvents && errors >= expectedErrors, bound(60_000, EVENTS, 30));
      // The measured figure, for docs/guide/reliability.md.
      console.log(`fuzz amqp events: ${EVENTS} messages (seed ${FUZZ_SEED + 2}): ${receiver.received} events handed on, ${errors} reported malformed`);
      expect(receiver.received).toBe(expectedEvents);
      expect(errors).toBe(expectedErrors);
      const captured = receiver.capture({ limit: 1, timeout: 10 });
      const before = receiver.received;
      await transport.publish(encodeEvents({ type: 'worker-heartbeat', hostname: 'w@fuzz', timestamp: Date.now() / 1000, utcoffset: 0, pid: 1, clock: 1, freq: 2, active: 0, processed: 0, loadavg: [0, 0, 0], sw_ident: 'q', sw_ver: '0', sw_sys: 'Linux' }, 'w@fuzz'), {
        exchange: 'celeryev',
        routingKey: 'worker.heartbeat',
        exchangeType: 'topic',
      });
      await captured;
      expect(receiver.received).toBe(before + 1);
    } finally {
      await receiver.stop();
    }
    expect(unhandled).toEqual([]);
  }, bound(90_000, EVENTS));
});
