/**
 * `worker.addConsumer`, `cancelConsumer` and `activeQueues` (remote control `add_consumer`, `cancel_consumer`,
 * `active_queues`) on a real worker (memory broker).
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { jsonSerializer } from '@q/core/adapter';
import { encodeTaskMessage, newTaskMessage } from '@q/core/internal';
import { makeApp, namespace, sleep, startWorker, until } from './helpers.js';

describe('worker.addConsumer / cancelConsumer', () => {
  it('consumes a queue added at run time, then stops consuming it; stats and activeQueues follow', async () => {
    const app = makeApp(namespace());
    const ran: string[] = [];
    app.task({ name: 'tasks.mark', params: ['x'] }, (x: string) => void ran.push(x));
    const worker = await startWorker(app);
    expect(worker.stats().queues).toEqual(['celery']);
    const waiting = await app.sendTask('tasks.mark', ['extra-1'], {}, { queue: 'extraq' });
    await sleep(100);
    expect(ran).toEqual([]);

    await worker.addConsumer('extraq');
    await waiting.get({ timeout: 3 });
    expect(ran).toEqual(['extra-1']);
    expect(worker.stats().queues).toEqual(['celery', 'extraq']);
    expect(worker.activeQueues()).toEqual([
      {
        queue: { name: 'celery', durable: true, exclusive: false, autoDelete: false },
        exchange: { name: 'celery', type: 'direct', durable: true, autoDelete: false },
        binding: { queue: 'celery', exchange: 'celery', routingKey: 'celery' },
      },
      {
        queue: { name: 'extraq', durable: true, exclusive: false, autoDelete: false },
        exchange: { name: 'extraq', type: 'direct', durable: true, autoDelete: false },
        binding: { queue: 'extraq', exchange: 'extraq', routingKey: 'extraq' },
      },
    ]);
    // consumed already: nothing happens
    await worker.addConsumer('extraq', { exchange: 'other' });
    expect(worker.activeQueues()).toHaveLength(2);
    expect(worker.parts.consumer?.queues).toEqual(['celery', 'extraq']);

    await worker.cancelConsumer('extraq');
    expect(worker.stats().queues).toEqual(['celery']);
    expect(worker.parts.consumer?.queues).toEqual(['celery']);
    await app.sendTask('tasks.mark', ['extra-2'], {}, { queue: 'extraq' });
    const still = await app.sendTask('tasks.mark', ['default']);
    await still.get({ timeout: 3 });
    await sleep(100);
    expect(ran).toEqual(['extra-1', 'default']);
    const transport = await app.getTransport();
    expect(await transport.queueSize?.('extraq')).toBe(1);
    // not consumed: nothing happens
    await worker.cancelConsumer('extraq');
    await worker.cancelConsumer('never');
  });

  it('declares the exchange and binding it is given (a topic exchange routes to the new queue)', async () => {
    const app = makeApp(namespace());
    const ran: string[] = [];
    app.task({ name: 'tasks.mark', params: ['x'] }, (x: string) => void ran.push(x));
    const worker = await startWorker(app);
    await worker.addConsumer('feeds', { exchange: 'feed-x', exchangeType: 'topic', routingKey: 'feed.#', options: { max_priority: 5 } });
    expect(worker.activeQueues()[1]).toEqual({
      queue: { name: 'feeds', durable: true, exclusive: false, autoDelete: false, arguments: { 'x-max-priority': 5 }, maxPriority: 5 },
      exchange: { name: 'feed-x', type: 'topic', durable: true, autoDelete: false },
      binding: { queue: 'feeds', exchange: 'feed-x', routingKey: 'feed.#' },
    });
    // published to the topic exchange with a key the binding matches
    const transport = await app.getTransport();
    const message = await encodeTaskMessage(newTaskMessage({ id: randomUUID(), name: 'tasks.mark', args: ['news'] }), { serializer: jsonSerializer });
    await transport.publish(message, { exchange: 'feed-x', routingKey: 'feed.news', exchangeType: 'topic' });
    await until(() => ran, (r) => r.length === 1);
    expect(ran).toEqual(['news']);
    await expect(worker.addConsumer('bad', { exchangeType: 'nope' })).rejects.toMatchObject({ code: 'Q_ERR_CONFIG_INVALID' });
    expect(worker.stats().queues).toEqual(['celery', 'feeds']);
  });

  it('a task received from a cancelled queue finishes', async () => {
    const app = makeApp(namespace());
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    let started = false;
    app.task({ name: 'tasks.wait' }, async () => {
      started = true;
      await gate;
      return 'done';
    });
    const worker = await startWorker(app, { queues: ['celery', 'extraq'] });
    const r = await app.sendTask('tasks.wait', [], {}, { queue: 'extraq' });
    await until(() => started, (s) => s);
    await worker.cancelConsumer('extraq');
    expect(worker.requests().active.map((a) => a.id)).toEqual([r.id]);
    open();
    expect(await r.get({ timeout: 3 })).toBe('done');
  });

  it('before start: the queue is consumed from the start; a warm restart keeps the changes', async () => {
    const app = makeApp(namespace());
    const ran: string[] = [];
    app.task({ name: 'tasks.mark', params: ['x'] }, (x: string) => void ran.push(x));
    const { createWorker } = await import('../src/index.js');
    const { silentLogger } = await import('@q/core');
    const worker = createWorker(app, { hostname: 'w1@test', logger: silentLogger, closeApp: false });
    await worker.addConsumer('extraq');
    await worker.cancelConsumer('celery');
    await worker.start();
    try {
      expect(worker.stats().queues).toEqual(['extraq']);
      const r = await app.sendTask('tasks.mark', ['a'], {}, { queue: 'extraq' });
      await r.get({ timeout: 3 });
      await worker.stop();
      await worker.start();
      expect(worker.parts.consumer?.queues).toEqual(['extraq']);
      const again = await app.sendTask('tasks.mark', ['b'], {}, { queue: 'extraq' });
      await again.get({ timeout: 3 });
      expect(ran).toEqual(['a', 'b']);
    } finally {
      await worker.stop({ graceful: false });
    }
  });
});
