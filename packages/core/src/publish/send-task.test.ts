import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../app/app.js';
import type { AppOptions } from '../config/options.js';
import { decodeEnvelope } from '../protocol/envelope.js';
import { decodeTaskMessage } from '../protocol/decode-task.js';
import type { TaskMessage } from '../protocol/task-message.js';
import { createDefaultRegistry } from '../serialization/registry.js';
import { memoryQueueDriver } from '../transport/memory-queue-driver.js';
import { Signature } from '../canvas/signature.js';

const apps: App[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

function setup(options: AppOptions = {}) {
  const ns = `apply-${randomUUID()}`;
  const app = createApp({ broker: `memory://${ns}`, backend: `memory://${ns}`, ...options });
  apps.push(app);
  /** Reserves the raw message from the memory queue and decodes it as a worker would. */
  const receive = async (queue = 'celery'): Promise<{ msg: TaskMessage; exchange: string; routingKey: string; headers: Record<string, unknown> }> => {
    const driver = memoryQueueDriver({ namespace: ns });
    await driver.connect();
    const [lease] = await driver.reserve([queue], { max: 1, waitMs: 0 });
    if (!lease) throw new Error(`no message in ${queue}`);
    await driver.ack(lease);
    const env = decodeEnvelope(lease.payload);
    const msg = await decodeTaskMessage(env.message, { registry: createDefaultRegistry(), accept: ['json'] });
    return { msg, exchange: env.exchange, routingKey: env.routingKey, headers: env.message.headers };
  };
  return { app, receive };
}

describe('applyAsync → TaskMessage', () => {
  it('sends a plain call like Python apply_async((2, 3)) does', async () => {
    const { app, receive } = setup();
    const add = app.task('tasks.add', (x: number, y: number) => x + y);
    const result = await add.delay(2, 3);
    const { msg, exchange, routingKey } = await receive();
    expect(msg).toMatchObject({
      id: result.id, name: 'tasks.add', args: [2, 3], kwargs: {}, shadow: null, eta: null, expires: null,
      groupId: null, groupIndex: null, retries: 0, timeLimit: [null, null], rootId: result.id, parentId: null,
      argsrepr: '(2, 3)', kwargsrepr: '{}', origin: app.origin, ignoreResult: false, replyTo: app.oid,
      correlationId: result.id, priority: 0, deliveryMode: 2, expiration: null,
    });
    expect(msg.embed).toEqual({ callbacks: null, errbacks: null, chain: null, chord: null });
    expect([exchange, routingKey]).toEqual(['', 'celery']);
  });

  it('maps every option as task-v2-alloptions.json does', async () => {
    const { app, receive } = setup();
    const add = app.task('capapp.add', (x: number, y: number) => x + y);
    const mul = app.task('capapp.mul', (x: number, y: number) => x * y);
    const echo = app.task('capapp.echo', (s: string) => s);
    const before = Date.now();
    const result = await add.applyAsync([2, 3], {}, {
      countdown: 30, expires: 600, priority: 5, timeLimit: 60, softTimeLimit: 50,
      link: mul.s(10), linkError: echo.si('errored'), shadow: 'shadowname', headers: { custom_header: 'x' },
    });
    const after = Date.now();
    const { msg, headers } = await receive();
    expect(msg.id).toBe(result.id);
    const eta = Date.parse(msg.eta ?? '');
    expect(msg.eta).toMatch(/\+00:00$/);
    expect(eta).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 30_000 - 1);
    expect(eta).toBeLessThanOrEqual(after + 30_000);
    expect(Date.parse(msg.expires ?? '') - eta).toBeGreaterThanOrEqual(570_000 - 5);
    expect(msg.expiration).toBe('600000');
    expect(msg.priority).toBe(5);
    expect(msg.timeLimit).toEqual([60, 50]);
    expect(msg.shadow).toBe('shadowname');
    expect(headers.custom_header).toBe('x');
    expect(msg.embed.callbacks).toEqual([{ task: 'capapp.mul', args: [10], kwargs: {}, options: {}, subtask_type: null, immutable: false }]);
    expect(msg.embed.errbacks).toEqual([{ task: 'capapp.echo', args: ['errored'], kwargs: {}, options: {}, subtask_type: null, immutable: true }]);
    expect(msg.rootId).toBe(result.id);
  });

  it('sends kwargs (Python kwargs={"y": 5}) and an explicit id, parent, root and group', async () => {
    const { app, receive } = setup();
    const add = app.task('tasks.add', (x: number, y: number) => x + y);
    await add.applyAsync([4], { y: 5 }, { taskId: 'fixed-id', parentId: 'p', rootId: 'r', groupId: 'g', groupIndex: 1, ignoreResult: true });
    const { msg } = await receive();
    expect(msg).toMatchObject({
      id: 'fixed-id', args: [4], kwargs: { y: 5 }, kwargsrepr: "{'y': 5}", parentId: 'p', rootId: 'r', groupId: 'g', groupIndex: 1, ignoreResult: true,
    });
    expect(add.bindArguments(msg.args, msg.kwargs)).toEqual([4, 5]);
  });

  it('turns an absolute eta and a past expiry into ISO headers and expiration "0"', async () => {
    const { app, receive } = setup();
    const t = app.task('t', () => 1);
    await t.applyAsync([], {}, { eta: '2030-01-02T03:04:05', expires: new Date(Date.now() - 5000) });
    const { msg } = await receive();
    expect(msg.eta).toBe('2030-01-02T03:04:05+00:00');
    expect(msg.expiration).toBe('0');
  });

  it('reads a naive eta in the app time zone', async () => {
    const { app, receive } = setup({ timezone: 'Europe/Berlin' });
    await app.sendTask('t', [], {}, { eta: '2030-01-02T03:04:05' });
    const { msg } = await receive();
    expect(msg.eta).toBe('2030-01-02T02:04:05+00:00');
  });

  it('routes by task option queue and call options, and accepts plain wire signatures', async () => {
    const { app, receive } = setup({ task: { routes: { 'feed.*': { queue: 'feeds' } } } });
    const io = app.task({ name: 'feed.io', queue: 'io', priority: 3 }, () => null);
    await io.delay();
    const first = await receive('io');
    expect([first.exchange, first.routingKey, first.msg.priority]).toEqual(['', 'io', 3]);
    await app.sendTask('feed.other', [1], {}, { link: { task: 'x', args: [], kwargs: {}, options: {}, subtask_type: null, immutable: true } });
    const second = await receive('feeds');
    expect(second.msg.name).toBe('feed.other');
    expect(second.msg.embed.callbacks?.[0]?.task).toBe('x');
    await io.applyAsync([], {}, { queue: 'celery', replyTo: 'reply-here' });
    expect((await receive('celery')).msg.replyTo).toBe('reply-here');
  });

  it('signatures carry options and serialize to the wire form', () => {
    const sig = Signature.of('a', [1], { b: 2 }).set({ queue: 'q' });
    expect(JSON.parse(JSON.stringify(sig))).toEqual({ task: 'a', args: [1], kwargs: { b: 2 }, options: { queue: 'q' }, subtask_type: null, immutable: false });
  });

  it('rejects invalid call options with a ConfigError naming the option', async () => {
    const { app } = setup();
    const t = app.task('t', () => 1);
    await expect(t.applyAsync([], {}, { countdown: Number.NaN })).rejects.toThrow('applyAsync options.countdown');
    await expect(t.applyAsync([], {}, { eta: 'tomorrow' })).rejects.toThrow('applyAsync options.eta');
  });
});

describe('task.routes on every sending path', () => {
  const routes: NonNullable<AppOptions['task']>['routes'] = [
    (name, args) => (name === 'fn.route' ? { queue: `shard${String(args[0])}` } : null),
    [
      [/opts\./, { queue: 'opts', priority: 6, expires: 60, timeLimit: 30, softTimeLimit: 20, headers: { from_route: 1, keep: 'r' }, compression: 'zlib' }],
    ],
  ];

  it('sendTask, applyAsync and a canvas ask a router function with the call’s arguments', async () => {
    const { app, receive } = setup({ task: { routes } });
    await app.sendTask('fn.route', [2]);
    expect((await receive('shard2')).msg.name).toBe('fn.route');
    const fn = app.task('fn.route', (n: number) => n);
    await fn.delay(4);
    expect((await receive('shard4')).msg.args).toEqual([4]);
    await fn.s(5).applyAsync();
    expect((await receive('shard5')).msg.args).toEqual([5]);
  });

  it('a route’s publish options reach the message; the task’s own options and the call’s win over them', async () => {
    const { app, receive } = setup({ task: { routes } });
    const own = app.task({ name: 'opts.own', timeLimit: 5, priority: 2 }, () => null);
    await own.delay();
    const first = await receive('opts');
    expect(first.msg.timeLimit).toEqual([5, 20]);
    expect(first.msg.priority).toBe(2);
    expect(first.msg.expires).not.toBeNull();
    expect(first.headers).toMatchObject({ from_route: 1, keep: 'r', compression: 'application/x-gzip' });
    await own.applyAsync([], {}, { softTimeLimit: 1, headers: { from_route: 2 }, priority: 9 });
    const second = await receive('opts');
    expect(second.msg.timeLimit).toEqual([5, 1]);
    expect(second.msg.priority).toBe(9);
    expect(second.headers).toMatchObject({ from_route: 2, keep: 'r' });
    await app.sendTask('opts.unknown');
    expect((await receive('opts')).msg.timeLimit).toEqual([30, 20]);
  });
});
