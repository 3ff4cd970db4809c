/**
 * Broadcast queues (kombu's `Broadcast`): every worker consuming `bc` declares a queue of its own, `bcast.<uuid4>`,
 * bound to the fanout exchange `bc`, so a task routed to `bc` runs once on each of them.
 */
import { describe, expect, it } from 'vitest';
import { broadcastQueue, memoryQueueDriver } from '@q/core';
import type { TaskContext } from '@q/core';
import { makeApp, namespace, sleep, startWorker, until } from './helpers.js';

const BCAST = /^bcast\.[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('broadcast queues', () => {
  it('a task routed to a broadcast queue runs on every worker consuming it, each through a bcast.<uuid> queue of its own', async () => {
    const ns = namespace();
    const driver = memoryQueueDriver({ namespace: ns });
    const app = makeApp(ns, { broker: driver, task: { queues: [broadcastQueue('bc'), { name: 'celery' }], routes: { 'tasks.reload': { queue: 'bc' } } } });
    const ran: string[] = [];
    app.task({ name: 'tasks.reload', bind: true }, (ctx: TaskContext, tag: string) => void ran.push(`${tag}@${ctx.hostname}`));
    const alpha = await startWorker(app, { hostname: 'alpha@test', queues: ['bc', 'celery'] });
    const beta = await startWorker(app, { hostname: 'beta@test', queues: ['bc'], closeApp: false });
    const plain = await startWorker(app, { hostname: 'plain@test', queues: ['celery'], closeApp: false });

    const [a, b] = [alpha.activeQueues()[0], beta.activeQueues()[0]];
    expect(a?.queue.name).toMatch(BCAST);
    expect(b?.queue.name).toMatch(BCAST);
    expect(a?.queue.name).not.toBe(b?.queue.name);
    // kombu's Broadcast: durable, auto-delete queue; durable fanout exchange named after the queue; Celery's default key
    expect(a).toEqual({
      queue: { name: a?.queue.name, durable: true, exclusive: false, autoDelete: true },
      exchange: { name: 'bc', type: 'fanout', durable: true, autoDelete: false },
      binding: { queue: a?.queue.name, exchange: 'bc', routingKey: 'celery' },
    });

    await app.sendTask('tasks.reload', ['r1']);
    await until(() => ran.length, (n) => n >= 2);
    await sleep(100);
    expect(ran.sort()).toEqual(['r1@alpha@test', 'r1@beta@test']);
    expect(plain.stats().processedByTask['tasks.reload']).toBeUndefined();
    // the client declared no queue named `bc`: nothing piles up there
    expect(await driver.size?.('bc')).toBe(0);

    // cancel_consumer by the broadcast name stops that worker's copy
    await beta.cancelConsumer('bc');
    await app.sendTask('tasks.reload', ['r2']);
    await until(() => ran.length, (n) => n >= 3);
    await sleep(100);
    expect(ran.filter((r) => r.startsWith('r2'))).toEqual(['r2@alpha@test']);
  });
});
