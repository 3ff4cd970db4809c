/**
 * `active`, `reserved`, `scheduled` and `query_task` against a worker holding real tasks: each reply has the shape
 * of a Python worker's (`vectors/control-{active,reserved,scheduled,query-task}-reply.json`).
 */
import type { App, NodeReply } from '@q/core';
import { describe, expect, it } from 'vitest';
import { Worker } from '../src/index.js';
import { capturedReply, shapeOf } from './control-shape.js';
import { makeApp, namespace, startWorker, until } from './helpers.js';

const W = 'w1@test';
const canList = typeof (Worker.prototype as { requests?: unknown }).requests === 'function';

async function ask(app: App, command: string, args: Record<string, unknown> = {}): Promise<unknown> {
  const replies = await app.control.broadcast(command, { arguments: args, reply: true, destination: [W], timeout: 2 });
  return (replies[0] as NodeReply)[W];
}

describe.skipIf(!canList)('requests held by a worker', () => {
  it('active, reserved, scheduled and query_task in Celery shapes', async () => {
    const app = makeApp(namespace());
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const sleeper = app.task({ name: 'capapp.sleeper' }, async (_s: number) => {
      await gate;
      return 1;
    });
    const add = app.task({ name: 'capapp.add' }, (a: number, b: number) => a + b);
    const worker = await startWorker(app, { mingle: false, concurrency: 1 });
    const running = await sleeper.delay(20);
    const waiting = await sleeper.delay(20);
    const later = await add.applyAsync([1, 2], {}, { countdown: 60 });
    await until(() => (ask(app, 'scheduled') as Promise<unknown[]>), (s) => s.length === 1);
    await until(() => (ask(app, 'active') as Promise<unknown[]>), (s) => s.length === 1);

    const active = (await ask(app, 'active', { safe: null })) as Record<string, unknown>[];
    expect(shapeOf(active)).toEqual(shapeOf(capturedReply('active')));
    expect(active[0]).toMatchObject({ id: running.id, name: 'capapp.sleeper', args: [20], acknowledged: true, hostname: W });
    const reserved = (await ask(app, 'reserved')) as Record<string, unknown>[];
    expect(shapeOf(reserved)).toEqual(shapeOf(capturedReply('reserved')));
    expect(reserved[0]).toMatchObject({ id: waiting.id, time_start: null, worker_pid: null });
    const scheduled = (await ask(app, 'scheduled')) as { eta: string; priority: number; request: Record<string, unknown> }[];
    expect(shapeOf(scheduled)).toEqual(shapeOf(capturedReply('scheduled')));
    expect(scheduled[0]?.eta).toMatch(/\+00:00$/);
    expect(scheduled[0]?.request['id']).toBe(later.id);
    const query = (await ask(app, 'query_task', { ids: [running.id, waiting.id, later.id] })) as Record<string, [string, unknown]>;
    expect(Object.keys(query).sort()).toEqual([running.id, waiting.id].sort());
    expect(query[running.id]?.[0]).toBe('active');
    expect(query[waiting.id]?.[0]).toBe('reserved');
    release();
    await until(() => worker.counters.processed.get('capapp.sleeper') ?? 0, (n) => n === 2);
  });
});
