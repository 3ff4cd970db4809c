/**
 * Routing with an in-process worker on the memory broker: a task routed through a topic exchange with a wildcard
 * binding reaches the worker consuming that queue; `task.inheritParentPriority` passes a running task's delivery
 * priority on to what it sends.
 */
import type { App, AppOptions, TaskContext } from '@q/core';
import { describe, expect, it } from 'vitest';
import { makeApp, metaOf, namespace, startWorker } from './helpers.js';

describe('topic routing', () => {
  it('a task routed to a topic queue with a wildcard binding is consumed by the worker of that queue', async () => {
    const app = makeApp(namespace(), {
      task: {
        queues: [{ name: 'logs', exchange: 'logex', exchangeType: 'topic', routingKey: 'log.#' }],
        routes: { 'log.*': { queue: 'logs', routingKey: 'log.error.disk' } },
      },
    });
    const write = app.task({ name: 'log.write', bind: true }, (ctx: TaskContext, line: string) => `${ctx.deliveryInfo.exchange} ${ctx.deliveryInfo.routingKey} ${line}`);
    await startWorker(app, { queues: ['logs'] });
    const result = await write.delay('full');
    expect((await metaOf(app, result.id)).result).toBe('logex log.error.disk full');
  });

  it('with task.defaultExchangeType topic, a declared queue is bound to the default exchange and consumed through it', async () => {
    const app = makeApp(namespace(), { task: { defaultExchangeType: 'topic', queues: [{ name: 'foo' }] } });
    const where = app.task({ name: 'where', bind: true, queue: 'foo' }, (ctx: TaskContext) => [ctx.deliveryInfo.exchange, ctx.deliveryInfo.routingKey]);
    await startWorker(app, { queues: ['foo'] });
    const result = await where.delay();
    expect((await metaOf(app, result.id)).result).toEqual(['celery', 'celery']);
  });
});

describe('task.inheritParentPriority', () => {
  /** `parent` sends `child` (no priority of its own) and returns its id; `child` returns its delivery priority. */
  function tasks(app: App) {
    const child = app.task({ name: 'child', bind: true }, (ctx: TaskContext) => ctx.deliveryInfo.priority);
    const parent = app.task('parent', async () => (await child.delay()).id);
    return { parent, child };
  }

  async function childPriority(options: AppOptions, parentPriority: number): Promise<unknown> {
    const app = makeApp(namespace(), options);
    const { parent } = tasks(app);
    await startWorker(app);
    const sent = await parent.applyAsync([], {}, { priority: parentPriority });
    const childId = (await metaOf(app, sent.id)).result as string;
    return (await metaOf(app, childId)).result;
  }

  it('a task sent from a running task with no priority of its own takes the parent’s delivery priority', async () => {
    expect(await childPriority({ task: { inheritParentPriority: true } }, 5)).toBe(5);
  });

  it('a route’s priority wins over the parent’s', async () => {
    expect(await childPriority({ task: { inheritParentPriority: true, routes: { child: { priority: 2 } } } }, 5)).toBe(2);
  });

  it('is off by default: the child gets the default priority', async () => {
    expect(await childPriority({}, 5)).toBe(0);
  });
});
