/**
 * End to end: an app publishing over AMQP and a q worker consuming (vhost `q-test-transport-amqp-worker`), the
 * worker's shared prefetch checked on the broker (`rabbitmqctl list_channels`), and requeue on a warm stop.
 */
import { createApp, memoryKeyValueDriver, silentLogger } from '@q/core';
import { createWorker } from '@q/worker';
import { describe, expect, it, onTestFinished } from 'vitest';
import { amqpTransport, qPlugin, type AmqpTransport } from '../src/index.js';
import { channels, fileVhost, until } from './helpers.js';
import { pyGet } from './py-amqp.js';

const vhost = await fileVhost('transport-amqp-worker');
let n = 0;

describe.skipIf(!vhost)('app and worker over AMQP', () => {
  const url = vhost?.url ?? '';
  const name = vhost?.name ?? '';
  const backend = () => memoryKeyValueDriver({ namespace: `amqp-e2e-${process.pid}-${++n}` });

  it('runs tasks published with amqpTransport() and leaves nothing behind', async () => {
    const transport = amqpTransport(url);
    const app = createApp({ name: 'e2e', broker: transport, backend: backend() });
    onTestFinished(() => app.close());
    const add = app.task({ name: 'tasks.add' }, (a: number, b: number) => a + b);
    const worker = createWorker(app, { logger: silentLogger, hostname: 'amqp1@test', concurrency: 4 });
    onTestFinished(() => worker.stop({ graceful: false }));
    await worker.start();
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => add.delay(i, i)));
    expect(await Promise.all(results.map((r) => r.get({ timeout: 10 })))).toEqual(Array.from({ length: 50 }, (_, i) => 2 * i));
    await until(async () => (await transport.queueSize('celery')) === 0, 3000, 'an empty queue');
    await until(() => channels(name, ['messages_unacknowledged']).every(([u]) => u === '0'), 5000, 'every delivery acked');
  });

  it('shares one prefetch of concurrency × multiplier across the worker\'s queues, raised while ETA tasks are held', async () => {
    const app = createApp({ name: 'e2e', broker: url, backend: backend(), plugins: [qPlugin], task: { acksLate: true } });
    onTestFinished(() => app.close());
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let running = 0;
    let maxRunning = 0;
    const block = app.task({ name: 'tasks.block' }, async (i: number) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await gate;
      running--;
      return i;
    });
    // Remote control off: its pidbox consumer has a channel of its own, and this test counts the task consumer's.
    const worker = createWorker(app, { logger: silentLogger, hostname: 'amqp2@test', concurrency: 2, prefetchMultiplier: 2, queues: ['pa', 'pb'], enableRemoteControl: false, mingle: false });
    onTestFinished(() => worker.stop({ graceful: false }));
    await worker.start();
    expect((await app.getTransport()).describe()).toBe(url.replace(':guest@', ':***@'));

    const held = await Promise.all([1, 2, 3].map((i) => block.applyAsync([i], {}, { queue: 'pa', countdown: 3600 })));
    const sent = await Promise.all(Array.from({ length: 20 }, (_, i) => block.applyAsync([i], {}, { queue: i % 2 === 0 ? 'pa' : 'pb' })));
    await until(() => running === 2, 5000, 'two running tasks');
    // One consuming channel for both queues, with a global prefetch of 2 × 2 + 3 held ETA tasks.
    const stats = () => channels(name, ['consumer_count', 'global_prefetch_count', 'messages_unacknowledged']).filter(([c]) => c !== '0');
    await until(() => stats()[0]?.[2] === '7', 5000, 'seven unacknowledged deliveries');
    expect(stats()).toEqual([['2', '7', '7']]);
    const transport = (await app.getTransport()) as AmqpTransport;
    expect((await transport.queueSize('pa')) + (await transport.queueSize('pb'))).toBe(16);

    release();
    expect(await Promise.all(sent.map((r) => r.get({ timeout: 10 })))).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(maxRunning).toBe(2);
    await worker.stop({ graceful: true });
    await app.close();
    // The held ETA tasks went back to their queue on the warm stop, flagged redelivered by the broker.
    const back = pyGet(name, 'pa', 4);
    expect(back.filter((m) => m !== null).map((m) => m?.properties.correlation_id).sort()).toEqual(held.map((r) => r.id).sort());
    expect(back.slice(0, 3).every((m) => m?.delivery_info['redelivered'] === true)).toBe(true);
  });
});
