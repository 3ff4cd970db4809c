/**
 * The three ways a task message is sent — a client's `sendTask`, a worker's callback/errback/chain step, a
 * worker's retry — build it with core's one builder, so the same call gives the same message and route.
 */
import { VECTORS_DIR } from '@q/test-services';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Retry, createApp, memoryQueueDriver, silentLogger } from '@q/core';
import { decodeEnvelope, jsonSerializer, pyJsonStringify } from '@q/core/adapter';
import { createDefaultRegistry, decodeTaskMessage, encodeTaskMessage, newTaskMessage } from '@q/core/internal';
import type { App, AppOptions, ApplyOptions, RetryInit } from '@q/core';
import type { Delivery } from '@q/core/adapter';
import type { ResolvedRoute, TaskMessage, WireSignature } from '@q/core/internal';
import type { WorkerRuntime } from '../worker-runtime.js';
import { applyErrbacks, applySuccessFollowUps, sendSignature } from './follow-ups.js';
import { publishRetry } from './retry.js';
import type { TaskRequest } from './task-request.js';

const NOW = Date.parse('2026-11-22T02:39:02.295Z');

const apps: App[] = [];
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW);
});
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

interface Sent {
  message: TaskMessage;
  route: ResolvedRoute;
}

/** An app whose `publish` records instead of sending, and a worker runtime on it whose hostname is the app's origin. */
function setup(options: AppOptions = {}, hostname?: string) {
  const app = createApp({ broker: memoryQueueDriver({ namespace: `paths-${randomUUID()}` }), ...options });
  apps.push(app);
  const sent: Sent[] = [];
  vi.spyOn(app, 'publish').mockImplementation((message, route) => {
    sent.push({ message, route });
    return Promise.resolve();
  });
  app.task('tasks.add', (x: number, y: number) => x + y);
  const rt = { app, hostname: hostname ?? app.origin, logger: silentLogger } as unknown as WorkerRuntime;
  /** The last message sent. */
  const last = (): Sent => {
    const s = sent.at(-1);
    if (!s) throw new Error('nothing was sent');
    return s;
  };
  return { app, rt, sent, last };
}

/** A task the worker ran: `id`, in the workflow `rootId`. */
const parentOf = (id: string, rootId: string): TaskMessage => newTaskMessage({ id, name: 'tasks.parent', rootId });

/** The request of a received `message`, from queue `queue`. */
function requestOf(app: App, message: TaskMessage, queue: string): TaskRequest {
  const task = app.tasks.get(message.name);
  if (!task) throw new Error(`${message.name} is not registered`);
  const delivery = { info: { queue, exchange: '', routingKey: queue, redelivered: false } } as unknown as Delivery;
  return { message, delivery, task };
}

/** Where a route sends a message. */
const destination = ({ queue, exchange, routingKey, exchangeType }: ResolvedRoute) => ({ queue, exchange, routingKey, exchangeType });

const wire = (task: string, args: unknown[], options: Record<string, unknown> = {}, immutable = false): WireSignature => ({
  task, args, kwargs: {}, options, subtask_type: null, immutable,
});

/** One call as `applyAsync` options, as a signature's wire options, and as the `Retry` that asks for the same time. */
const CASES: [label: string, camel: ApplyOptions, snake: Record<string, unknown>, retry: RetryInit][] = [
  ['no options', {}, {}, { countdownSeconds: 0 }],
  [
    'every message option',
    {
      countdown: 30, expires: 600, priority: 5, timeLimit: 60, softTimeLimit: 50, shadow: 'shadowname',
      headers: { custom_header: 'x' }, groupId: 'g-1', groupIndex: 2, replyTo: 'reply-here', ignoreResult: true,
      link: wire('tasks.mul', [10]), linkError: [wire('tasks.echo', ['errored'], {}, true)], queue: 'other',
    },
    {
      countdown: 30, expires: 600, priority: 5, time_limit: 60, soft_time_limit: 50, shadow: 'shadowname',
      headers: { custom_header: 'x' }, group_id: 'g-1', group_index: 2, reply_to: 'reply-here', ignore_result: true,
      link: wire('tasks.mul', [10]), link_error: [wire('tasks.echo', ['errored'], {}, true)], queue: 'other',
    },
    { countdownSeconds: 30 },
  ],
  ['a countdown of 0: no eta', { countdown: 0 }, { countdown: 0 }, { countdownSeconds: 0 }],
  [
    'an absolute eta (naive: in the app time zone) and an ISO expiry',
    { eta: '2030-01-02T03:04:05', expires: '2026-11-22T02:49:02.295+00:00' },
    { eta: '2030-01-02T03:04:05', expires: '2026-11-22T02:49:02.295+00:00' },
    { eta: new Date('2030-01-02T03:04:05Z') },
  ],
];

describe('the client, a callback and a retry send the same message for the same call', () => {
  it.each(CASES)('%s', async (_label, camel, snake, retryInit) => {
    const { app, rt, last } = setup();
    // The client: sendTask as a task would call it from inside `parent-1` of workflow `root-1`.
    await app.sendTask('tasks.add', [2, 3], { z: 1 }, { ...camel, taskId: 'task-1', parentId: 'parent-1', rootId: 'root-1' });
    const client = last();

    // A callback of `parent-1` whose result (2) is prepended to its own args.
    const sig: WireSignature = { task: 'tasks.add', args: [3], kwargs: { z: 1 }, options: { ...snake, task_id: 'task-1' }, subtask_type: null, immutable: false };
    await sendSignature(rt, sig, { parent: parentOf('parent-1', 'root-1'), prepend: [2] });
    expect(last()).toEqual(client);

    // The retry of that message, received and run: retries + 1, and it is its own parent.
    const received: TaskMessage = { ...client.message, eta: null, parentId: 'parent-1' };
    const delayMs = await publishRetry(rt, requestOf(app, received, client.route.queue), new Retry(retryInit));
    expect(last().message).toEqual({ ...client.message, retries: 1, parentId: 'task-1' });
    // The same destination (the route's `priority` is the request's, 0 for none: the message's is what is sent).
    expect(destination(last().route)).toEqual(destination(client.route));
    expect(delayMs).toBe(Math.max(0, client.message.eta === null ? 0 : Date.parse(client.message.eta) - NOW));
  });
});

describe('the message follows the app on every path', () => {
  /** Sends `add(2, 3)` with `camel`/`snake` options from the client, as a callback, an errback, a chain step and a retry. */
  async function everyPath(options: AppOptions, camel: ApplyOptions, snake: Record<string, unknown>, retry: RetryInit): Promise<TaskMessage[]> {
    const { app, rt, sent } = setup(options);
    await app.sendTask('tasks.add', [2, 3], {}, camel);
    const sig = wire('tasks.add', [3], snake);
    const parent = newTaskMessage({ id: 'p', name: 'tasks.parent', embed: { callbacks: [sig], errbacks: [sig], chain: [sig], chord: null } });
    await applySuccessFollowUps(rt, parent, 2);
    await applyErrbacks(rt, parent);
    const client = sent[0];
    if (!client) throw new Error('the client sent nothing');
    await publishRetry(rt, requestOf(app, client.message, client.route.queue), new Retry(retry));
    expect(sent).toHaveLength(5);
    return sent.map((s) => s.message);
  }

  it('deliveryMode is task.deliveryMode (a callback used to be persistent always)', async () => {
    const transient = await everyPath({ task: { deliveryMode: 'transient' } }, {}, {}, {});
    expect(transient.map((m) => m.deliveryMode)).toEqual([1, 1, 1, 1, 1]);
    const persistent = await everyPath({}, {}, {}, {});
    expect(persistent.map((m) => m.deliveryMode)).toEqual([2, 2, 2, 2, 2]);
  });

  it('a countdown of 0 sends no eta (a callback used to get eta = now)', async () => {
    const messages = await everyPath({}, { countdown: 0 }, { countdown: 0 }, { countdownSeconds: 0 });
    expect(messages.map((m) => m.eta)).toEqual([null, null, null, null, null]);
    const later = await everyPath({}, { countdown: 5 }, { countdown: 5 }, { countdownSeconds: 5 });
    expect(new Set(later.map((m) => m.eta))).toEqual(new Set(['2026-11-22T02:39:07.295000+00:00']));
  });

  it('the priority is the route priority: the call, else the task, else task.routes, else task.defaultPriority', async () => {
    const { app, rt, last } = setup({ task: { defaultPriority: 3, routes: { 'tasks.routed': { priority: 4 } } } });
    app.task({ name: 'tasks.urgent', priority: 7 }, () => null);
    const parent = parentOf('p', 'p');
    const priorityOf = async (task: string, options: Record<string, unknown> = {}): Promise<number> => {
      await sendSignature(rt, wire(task, [], options), { parent, prepend: [] });
      const fromWorker = last().message.priority;
      await app.sendTask(task, [], {}, typeof options.priority === 'number' ? { priority: options.priority } : {});
      expect(last().message.priority).toBe(fromWorker);
      return fromWorker;
    };
    expect(await priorityOf('tasks.urgent')).toBe(7);
    expect(await priorityOf('tasks.routed')).toBe(4);
    expect(await priorityOf('tasks.add')).toBe(3);
    expect(await priorityOf('tasks.urgent', { priority: 1 })).toBe(1);
  });
});

describe('task.routes on the worker’s paths', () => {
  it('a callback and a retry ask router functions with their arguments and take the route’s publish options', async () => {
    const routes: NonNullable<AppOptions['task']>['routes'] = [
      (name, args) => (name === 'tasks.add' ? { queue: `shard${String(args[0])}`, timeLimit: 30, headers: { routed: true } } : null),
    ];
    const { app, rt, last } = setup({ task: { routes } });
    await sendSignature(rt, wire('tasks.add', [1, 2]), { parent: parentOf('p', 'p'), prepend: [] });
    expect(last().route.queue).toBe('shard1');
    expect(last().message.timeLimit).toEqual([30, null]);
    expect(last().message.extraHeaders).toMatchObject({ routed: true });
    await app.sendTask('tasks.add', [1, 2]);
    expect(last().route.queue).toBe('shard1');
    // a retry goes back to the queue it came from (its own option, over the router's) with the route's publish options
    await publishRetry(rt, requestOf(app, newTaskMessage({ id: 'r', name: 'tasks.add', args: [1, 2] }), 'shard1'), new Retry({ args: [7, 2] }));
    expect([last().route.queue, last().message.args]).toEqual(['shard1', [7, 2]]);
    expect(last().message.extraHeaders).toMatchObject({ routed: true });
  });
});

describe('a retry matches the message Celery 5.2.6 re-published', () => {
  it('retrier.delay(42) → self.retry(countdown=1): same id and root, parent_id = its id, retries 1, eta 1 s later', async () => {
    const captured = JSON.parse(readFileSync(`${VECTORS_DIR}task-v2-retry.json`, 'utf8')) as { envelope: Record<string, unknown> };
    const env = decodeEnvelope(pyJsonStringify(captured.envelope));
    const retried = await decodeTaskMessage(env.message, { registry: createDefaultRegistry(), accept: ['json'] });
    // The message as the client first sent it (Celery's retry adds properties of its own: not q's).
    const original: TaskMessage = { ...retried, retries: 0, parentId: null, eta: null, extraProperties: {} };
    const eta = Date.parse(retried.eta ?? '');
    vi.setSystemTime(Math.floor(eta) - 1000);
    const { app, rt, last } = setup({}, retried.origin);
    app.task({ name: 'capapp.retrier', bind: true }, () => null);
    await publishRetry(rt, requestOf(app, original, 'celery'), new Retry({ countdownSeconds: 1 }));

    const sent = await encodeTaskMessage(last().message, { serializer: jsonSerializer });
    const { headers } = env.message;
    expect(Object.keys(sent.headers)).toEqual(Object.keys(headers));
    expect({ ...sent.headers, lang: 'py', eta: headers.eta }).toEqual(headers);
    expect(Date.parse(sent.headers.eta as string)).toBe(Math.floor(eta));
    expect(Buffer.from(sent.body).toString('base64')).toBe(Buffer.from(env.message.body).toString('base64'));
    expect(sent.properties).toMatchObject({
      correlationId: retried.correlationId, replyTo: retried.replyTo, deliveryMode: retried.deliveryMode, priority: retried.priority,
    });
    expect([last().route.exchange, last().route.routingKey]).toEqual([env.exchange, env.routingKey]);
  });
});
