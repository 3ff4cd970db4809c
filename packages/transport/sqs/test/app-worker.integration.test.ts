/**
 * End to end: an app publishing through the SQS transport and a q worker consuming from it, against the emulator:
 * the plugin path and sqsTransport(), lease renewal against duplicate runs, ETA and countdown (DelaySeconds), FIFO.
 */
import { createApp, memoryKeyValueDriver, silentLogger, type App, type Transport } from '@q/core';
import { createWorker, type Worker } from '@q/worker';
import { describe, expect, it, onTestFinished } from 'vitest';
import { qPlugin, sqsQueueName, sqsTransport, type SqsTransportOptions } from '../src/index.js';
import { sleep, uniquePrefix, until, useEmulator } from './helpers.js';

const env = useEmulator();

let seq = 0;
function appOn(broker: string | Transport, plugins = false): App {
  const backend = memoryKeyValueDriver({ namespace: `sqs-e2e-${process.pid}-${++seq}` });
  const app = createApp({ name: 'e2e', broker, backend, ...(plugins ? { plugins: [qPlugin] } : {}) });
  onTestFinished(() => app.close());
  return app;
}

async function startWorker(app: App, options: { queues?: string[]; concurrency?: number } = {}): Promise<Worker> {
  const worker = createWorker(app, { logger: silentLogger, hostname: `sqs${++seq}@test`, concurrency: options.concurrency ?? 4, ...(options.queues ? { queues: options.queues } : {}) });
  onTestFinished(() => worker.stop({ graceful: false }));
  await worker.start();
  return worker;
}

const transport = (prefix: string, extra: SqsTransportOptions = {}): Transport =>
  sqsTransport({ url: env.emulator.brokerUrl, region: 'us-east-1', queueNamePrefix: prefix, waitTimeSeconds: 1, ...extra });

describe('app and worker over SQS', () => {
  it('runs tasks published with sqsTransport() and leaves the queue empty', async () => {
    const prefix = uniquePrefix('e2e');
    const app = appOn(transport(prefix));
    const add = app.task({ name: 'tasks.add' }, (a: number, b: number) => a + b);
    await startWorker(app);
    const results = await Promise.all(Array.from({ length: 25 }, (_, i) => add.delay(i, i)));
    expect(await Promise.all(results.map((r) => r.get({ timeout: 15 })))).toEqual(Array.from({ length: 25 }, (_, i) => 2 * i));
    await until(async () => {
      const a = await env.raw.attributes(sqsQueueName('celery', prefix));
      return a['ApproximateNumberOfMessages'] === '0' && a['ApproximateNumberOfMessagesNotVisible'] === '0';
    }, 10_000, 'every message deleted');
  });

  it('resolves broker: "sqs://…" through the plugin (kombu options in the query)', async () => {
    const prefix = uniquePrefix('plug');
    const app = appOn(`${env.emulator.brokerUrl}?region=us-east-1&queue_name_prefix=${prefix}&wait_time_seconds=1`, true);
    const mul = app.task({ name: 'tasks.mul' }, (a: number, b: number) => a * b);
    await startWorker(app);
    expect((await app.getTransport()).describe()).toContain('sqs://test:***@127.0.0.1');
    expect(await (await mul.delay(6, 7)).get({ timeout: 15 })).toBe(42);
    expect((await env.raw.attributes(sqsQueueName('celery', prefix)))['VisibilityTimeout']).toBe('1800');
  });

  for (const renewal of [true, false]) {
    it(`a task running longer than the visibility timeout runs ${renewal ? 'once (leases renewed)' : 'twice without lease renewal (the kombu pitfall)'}`, async () => {
      const prefix = uniquePrefix(renewal ? 'long' : 'pitfall');
      const app = appOn(transport(prefix, { visibilityTimeoutMs: 2000, ...(renewal ? {} : { leaseRenewalMs: false }) }));
      let runs = 0;
      const slow = app.task({ name: 'tasks.slow', acksLate: true }, async () => {
        runs += 1;
        await sleep(5000);
        return runs;
      });
      await startWorker(app);
      const result = await slow.delay();
      await result.get({ timeout: 20 });
      if (renewal) {
        await sleep(2500);
        expect(runs).toBe(1);
      } else {
        // Redelivered every 2 s while the first run is still going.
        await until(() => runs >= 2, 10_000, 'a second run');
        expect(runs).toBeGreaterThanOrEqual(2);
      }
    }, 40_000);
  }

  it('an ETA 4 s ahead with a 2 s visibility timeout runs once, not before its ETA', async () => {
    const prefix = uniquePrefix('eta');
    const app = appOn(transport(prefix, { visibilityTimeoutMs: 2000 }));
    const ran: number[] = [];
    const stamp = app.task({ name: 'tasks.stamp' }, () => {
      ran.push(Date.now());
      return ran.length;
    });
    await startWorker(app);
    const eta = new Date(Date.now() + 4000);
    const result = await stamp.applyAsync([], {}, { eta });
    await result.get({ timeout: 15 });
    await sleep(3000);
    expect(ran).toHaveLength(1);
    expect(ran[0]).toBeGreaterThanOrEqual(eta.getTime() - 50);
  }, 30_000);

  it('a countdown under 15 minutes is an SQS DelaySeconds: the message cannot be received before', async () => {
    const prefix = uniquePrefix('delay');
    const app = appOn(transport(prefix));
    const noop = app.task({ name: 'tasks.noop' }, () => 'done');
    const name = sqsQueueName('celery', prefix);
    const sent = Date.now();
    await noop.applyAsync([], {}, { countdown: 3 });
    expect(await env.raw.receive(name)).toEqual([]);
    expect((await env.raw.attributes(name))['ApproximateNumberOfMessagesDelayed']).toBe('1');
    let got: unknown[] = [];
    while (got.length === 0) got = await env.raw.receive(name, { waitSeconds: 1, visibility: 0 });
    expect(Date.now() - sent).toBeGreaterThanOrEqual(2900);
  }, 20_000);

  it('a FIFO queue jobs.fifo gets the MessageGroupId given in ApplyOptions.properties', async () => {
    const prefix = uniquePrefix('fifo');
    const app = appOn(transport(prefix));
    const echo = app.task({ name: 'tasks.echo', queue: 'jobs.fifo' }, (x: string) => x);
    const name = sqsQueueName('jobs.fifo', prefix);
    const first = await echo.applyAsync(['a'], {}, { properties: { MessageGroupId: 'orders' } });
    expect((await env.raw.attributes(name))['FifoQueue']).toBe('true');
    const [message] = await env.raw.receive(name, { visibility: 0 });
    expect(message?.Attributes?.['MessageGroupId']).toBe('orders');
    expect(message?.Attributes?.['MessageDeduplicationId']).toMatch(/^[0-9a-f-]{36}$/);
    const second = await echo.applyAsync(['b']);
    await startWorker(app, { queues: ['jobs.fifo'] });
    expect(await first.get({ timeout: 15 })).toBe('a');
    expect(await second.get({ timeout: 15 })).toBe('b');
  }, 30_000);
});
