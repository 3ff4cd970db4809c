/**
 * The dashboard's API through fastify's `inject` (no port, no broker): a ClusterState fed directly, a fake remote
 * control. Lists, filters, paging, detail, rates, workers merged with cached stats, queue lengths, the token rules of
 * the actions, input validation, and bad events.
 */
import { createApp, memoryQueueDriver } from '@q/core';
import type { App, NodeReply, QueueInfo, StatsReply } from '@q/core';
import type { QEvent } from '@q/events';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClusterControl } from './cluster-control.js';
import { createDashboard } from './dashboard.js';
import type { Dashboard, DashboardOptions } from './dashboard.js';

const NOW = 1_800_000_000_000;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface FakeControl extends ClusterControl {
  calls: unknown[][];
}

function fakeControl(): FakeControl {
  const calls: unknown[][] = [];
  const stats = { pid: 1, clock: '1', uptime: 12, total: { 'tasks.add': 2 }, prefetch_count: 16, pool: { 'max-concurrency': 4, processes: [1, 2, 3, 4] } } as unknown as StatsReply;
  const queue = { name: 'celery' } as QueueInfo;
  const ok = (node: string): NodeReply[] => [{ [node]: { ok: 'done' } }];
  return {
    calls,
    stats: async () => ({ 'w1@host': stats }),
    activeQueues: async () => ({ 'w1@host': [queue, { name: 'images' } as QueueInfo] }),
    queueSize: async (q) => (q === 'celery' ? 7 : null),
    revoke: async (id, opts) => (calls.push(['revoke', id, opts]), ok('w1@host')),
    rateLimit: async (task, rate, target) => (calls.push(['rateLimit', task, rate, target]), ok('w1@host')),
    poolGrow: async (n, target) => (calls.push(['poolGrow', n, target]), ok('w1@host')),
    poolShrink: async (n, target) => (calls.push(['poolShrink', n, target]), ok('w1@host')),
    shutdown: async (target) => void calls.push(['shutdown', target]),
  };
}

function makeDashboard(options: DashboardOptions = {}): { dashboard: Dashboard; control: FakeControl; app: App } {
  const app = createApp({ name: 'dash-test', broker: memoryQueueDriver({ namespace: `dash-${Math.random()}` }) });
  const control = fakeControl();
  const dashboard = createDashboard(app, { control, receiveEvents: false, now: () => NOW, ...options });
  cleanups.push(async () => {
    await dashboard.close();
    await app.close();
  });
  return { dashboard, control, app };
}

const at = (seconds: number) => NOW / 1000 + seconds;

function task(type: string, uuid: string, seconds: number, fields: Record<string, unknown> = {}): QEvent {
  return { type, uuid, hostname: 'w1@host', timestamp: at(seconds), local_received: at(seconds), clock: seconds, ...fields } as QEvent;
}

function feed(dashboard: Dashboard): void {
  dashboard.ingest({ type: 'worker-online', hostname: 'w1@host', timestamp: at(0), local_received: at(0), freq: 2, clock: 0 } as unknown as QEvent);
  dashboard.ingest(task('task-received', 'a1', 1, { name: 'tasks.add', args: '(1, 2)', kwargs: '{}' }));
  dashboard.ingest(task('task-started', 'a1', 2));
  dashboard.ingest(task('task-succeeded', 'a1', 3, { result: '3', runtime: 0.5 }));
  dashboard.ingest(task('task-received', 'b2', 4, { name: 'tasks.fail', args: "('boom',)", kwargs: '{}', parent_id: 'a1', root_id: 'a1' }));
  dashboard.ingest(task('task-failed', 'b2', 5, { exception: "ValueError('boom')", traceback: 'Traceback…' }));
  dashboard.ingest(task('task-received', 'c3', 6, { name: 'tasks.add', args: '(40, 2)', kwargs: '{}' }));
}

/** A JSON body, read field by field in assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked by the assertions
type Body = any;

async function get(dashboard: Dashboard, url: string): Promise<{ status: number; body: Body }> {
  const res = await dashboard.server.inject({ method: 'GET', url });
  return { status: res.statusCode, body: res.json() };
}

async function post(dashboard: Dashboard, url: string, payload: unknown, token?: string): Promise<{ status: number; body: Body }> {
  const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
  const res = await dashboard.server.inject({ method: 'POST', url, payload: payload as object, headers });
  return { status: res.statusCode, body: res.json() };
}

describe('dashboard API: reading', () => {
  it('lists tasks newest first, with filters by state, name, worker and text, and paging', async () => {
    const { dashboard } = makeDashboard();
    feed(dashboard);
    const all = await get(dashboard, '/api/tasks');
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(3);
    expect(all.body.tasks.map((t: { uuid: string }) => t.uuid)).toEqual(['c3', 'b2', 'a1']);
    expect(all.body.tasks[2]).toMatchObject({ uuid: 'a1', name: 'tasks.add', state: 'SUCCESS', result: '3', worker: 'w1@host', runtime: 0.5 });

    expect((await get(dashboard, '/api/tasks?state=FAILURE')).body.tasks.map((t: { uuid: string }) => t.uuid)).toEqual(['b2']);
    expect((await get(dashboard, '/api/tasks?state=SUCCESS,FAILURE')).body.total).toBe(2);
    expect((await get(dashboard, '/api/tasks?name=tasks.add')).body.total).toBe(2);
    expect((await get(dashboard, '/api/tasks?worker=nobody@host')).body.total).toBe(0);
    expect((await get(dashboard, '/api/tasks?search=40,%202')).body.tasks.map((t: { uuid: string }) => t.uuid)).toEqual(['c3']);
    const page = await get(dashboard, '/api/tasks?limit=1&offset=1');
    expect(page.body).toMatchObject({ total: 3, offset: 1, limit: 1 });
    expect(page.body.tasks.map((t: { uuid: string }) => t.uuid)).toEqual(['b2']);
  });

  it('clips long texts in lists and keeps them whole in the detail, with timeline, parent and children', async () => {
    const { dashboard } = makeDashboard();
    feed(dashboard);
    dashboard.ingest(task('task-received', 'long', 7, { name: 'tasks.big', args: `('${'x'.repeat(500)}',)` }));
    const listed = (await get(dashboard, '/api/tasks?name=tasks.big')).body.tasks[0];
    expect(listed.args.length).toBe(200);
    expect((await get(dashboard, '/api/tasks/long')).body.args.length).toBe(505);

    const parent = await get(dashboard, '/api/tasks/a1');
    expect(parent.body).toMatchObject({ uuid: 'a1', args: '(1, 2)', kwargs: '{}', result: '3', state: 'SUCCESS', childTasks: [{ uuid: 'b2', name: 'tasks.fail', state: 'FAILURE' }] });
    expect(parent.body.timeline.map((e: { type: string }) => e.type)).toEqual(['task-received', 'task-started', 'task-succeeded']);
    const child = await get(dashboard, '/api/tasks/b2');
    expect(child.body).toMatchObject({ exception: "ValueError('boom')", traceback: 'Traceback…', parent: { uuid: 'a1', name: 'tasks.add', state: 'SUCCESS' } });

    const missing = await get(dashboard, '/api/tasks/nope');
    expect(missing.status).toBe(404);
    expect(missing.body.message).toMatch(/nope/);
  });

  it('summarizes counts by state, the workers online and whether actions are enabled', async () => {
    const { dashboard } = makeDashboard();
    feed(dashboard);
    const { body } = await get(dashboard, '/api/summary');
    expect(body).toMatchObject({ actionsEnabled: false, workers: { online: 1, known: 1 }, tasks: { inMemory: 3, byState: { SUCCESS: 1, FAILURE: 1, RECEIVED: 1 } } });
    expect(body.memory.rss).toBeGreaterThan(0);
    expect((await get(dashboard, '/api/task-types')).body.taskTypes).toEqual(['tasks.add', 'tasks.fail']);
  });

  it('merges workers with the cached stats and queues, and lists queue lengths of the consumed queues', async () => {
    const { dashboard } = makeDashboard();
    feed(dashboard);
    expect((await get(dashboard, '/api/workers')).body.workers[0]).toMatchObject({ hostname: 'w1@host', status: 'ONLINE', pool: null, queues: null });
    await dashboard.cache.refresh();
    const { body } = await get(dashboard, '/api/workers');
    expect(body.updatedAt).toBe(NOW);
    expect(body.workers[0]).toMatchObject({ hostname: 'w1@host', alive: true, pool: { maxConcurrency: 4, processes: 4 }, totals: { 'tasks.add': 2 }, queues: ['celery', 'images'] });
    const queues = await get(dashboard, '/api/queues');
    expect(queues.body.queues).toEqual([
      { name: 'celery', messages: 7, consumers: ['w1@host'] },
      { name: 'images', messages: null, consumers: ['w1@host'] },
    ]);
  });

  it('serves the cluster as Prometheus metrics: workers by status, tasks by name and state, worker gauges, queue lengths', async () => {
    const { dashboard } = makeDashboard();
    feed(dashboard);
    await dashboard.cache.refresh();
    const res = await dashboard.server.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.body;
    expect(text).toMatch(/^q_cluster_workers\{status="online"\} 1$/m);
    expect(text).toMatch(/^q_cluster_workers\{status="offline"\} 0$/m);
    expect(text).toMatch(/^q_cluster_tasks\{task="tasks\.add",state="SUCCESS"\} 1$/m);
    expect(text).toMatch(/^q_cluster_tasks\{task="tasks\.add",state="RECEIVED"\} 1$/m);
    expect(text).toMatch(/^q_cluster_tasks\{task="tasks\.fail",state="FAILURE"\} 1$/m);
    expect(text).toMatch(/^q_cluster_queue_length\{queue="celery"\} 7$/m);
    expect(text).not.toMatch(/q_cluster_queue_length\{queue="images"\}/);
    expect(text).toMatch(/^q_cluster_events_received 7$/m);
  });

  it('counts succeeded and failed tasks per second for the rates chart', async () => {
    const { dashboard } = makeDashboard();
    feed(dashboard);
    const { body } = await get(dashboard, '/api/rates?seconds=10');
    expect(body.points).toHaveLength(10);
    expect(body.points.at(-1)).toEqual([NOW / 1000, 1, 1]);
  });

  it('keeps serving after bad events, counting them', async () => {
    const { dashboard } = makeDashboard();
    for (const bad of [null, 42, 'x', {}, { type: 'task-succeeded' }, { type: 7 }, { type: 'task-received', uuid: 'u', hostname: 'h', timestamp: 'soon' }]) {
      dashboard.ingest(bad as unknown as QEvent);
    }
    const { status, body } = await get(dashboard, '/api/summary');
    expect(status).toBe(200);
    expect(body.counters.ignoredCount).toBe(7);
    expect(body.tasks.inMemory).toBe(0);
  });

  it('serves the page and uPlot', async () => {
    const { dashboard } = makeDashboard();
    const page = await dashboard.server.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/<title>q dashboard<\/title>/);
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['x-frame-options']).toBe('DENY');
    const uplot = await dashboard.server.inject({ method: 'GET', url: '/vendor/uplot/uPlot.iife.min.js' });
    expect(uplot.statusCode).toBe(200);
    expect((await dashboard.server.inject({ method: 'GET', url: '/vendor/uplot/uPlot.d.ts' })).statusCode).toBe(404);
  });
});

describe('dashboard API: validation', () => {
  it.each([
    ['/api/tasks?limit=0', 'querystring/limit must be >= 1'],
    ['/api/tasks?limit=5000', 'querystring/limit must be <= 1000'],
    ['/api/tasks?offset=-1', 'querystring/offset must be >= 0'],
    ['/api/tasks?state=success', 'querystring/state must match pattern'],
    ['/api/tasks?colour=red', 'querystring must NOT have additional properties'],
    ['/api/rates?seconds=1', 'querystring/seconds must be >= 10'],
  ])('GET %s answers 400: %s', async (url, message) => {
    const { dashboard } = makeDashboard();
    const { status, body } = await get(dashboard, url);
    expect(status).toBe(400);
    expect(body.message).toContain(message);
  });

  it.each([
    ['/api/tasks/a1/revoke', { signal: 'KILL' }, 'body/signal must match pattern'],
    ['/api/tasks/a1/revoke', { terminate: 'yes' }, 'body/terminate must be boolean'],
    ['/api/rate-limit', { taskName: 'tasks.add' }, "body must have required property 'rate'"],
    ['/api/rate-limit', { taskName: 'tasks.add', rate: '10/week' }, 'body/rate must match pattern'],
    ['/api/workers/w1@host/pool/grow', { n: 0 }, 'body/n must be >= 1'],
    ['/api/workers/w1@host/pool/shrink', { n: 1.5 }, 'body/n must be integer'],
    ['/api/workers/w1@host/shutdown', { now: true }, 'body must NOT have additional properties'],
  ])('POST %s %j with the token answers 400: %s', async (url, payload, message) => {
    const { dashboard, control } = makeDashboard({ token: 't0k' });
    const { status, body } = await post(dashboard, url, payload, 't0k');
    expect(status).toBe(400);
    expect(body.message).toContain(message);
    expect(control.calls).toEqual([]);
  });
});

describe('dashboard API: actions', () => {
  it('answers 403 to every action when no token is configured, whatever is sent', async () => {
    const { dashboard, control } = makeDashboard();
    for (const url of ['/api/tasks/a1/revoke', '/api/rate-limit', '/api/workers/w1@host/pool/grow', '/api/workers/w1@host/shutdown']) {
      const { status, body } = await post(dashboard, url, {}, 'anything');
      expect(status).toBe(403);
      expect(body.message).toMatch(/actions are disabled/);
    }
    expect(control.calls).toEqual([]);
  });

  it('answers 401 without the token or with a wrong one, before looking at the input', async () => {
    const { dashboard, control } = makeDashboard({ token: 't0k' });
    expect((await post(dashboard, '/api/workers/w1@host/pool/grow', { n: 1 })).status).toBe(401);
    expect((await post(dashboard, '/api/workers/w1@host/pool/grow', { n: 1 }, 'wrong')).status).toBe(401);
    expect((await post(dashboard, '/api/workers/w1@host/pool/grow', { n: 'bad' }, 'wrong')).status).toBe(401);
    expect(control.calls).toEqual([]);
    expect((await get(dashboard, '/api/summary')).body.actionsEnabled).toBe(true);
  });

  it('runs revoke, rate limit, pool grow/shrink and shutdown through remote control with the token', async () => {
    const { dashboard, control } = makeDashboard({ token: 't0k' });
    const revoked = await post(dashboard, '/api/tasks/a1/revoke', { terminate: true, signal: 'SIGKILL' }, 't0k');
    expect(revoked).toEqual({ status: 200, body: { ok: true, replies: [{ 'w1@host': { ok: 'done' } }] } });
    expect((await post(dashboard, '/api/tasks/a2/revoke', {}, 't0k')).status).toBe(200);
    expect((await post(dashboard, '/api/rate-limit', { taskName: 'tasks.add', rate: '10/m' }, 't0k')).status).toBe(200);
    expect((await post(dashboard, '/api/rate-limit', { taskName: 'tasks.add', rate: '0', destination: 'w1@host' }, 't0k')).status).toBe(200);
    expect((await post(dashboard, '/api/workers/w1@host/pool/grow', { n: 2 }, 't0k')).status).toBe(200);
    expect((await post(dashboard, '/api/workers/w1@host/pool/shrink', {}, 't0k')).status).toBe(200);
    expect((await post(dashboard, '/api/workers/w1@host/shutdown', {}, 't0k')).status).toBe(200);
    expect(control.calls).toEqual([
      ['revoke', 'a1', { terminate: true, signal: 'SIGKILL' }],
      ['revoke', 'a2', { terminate: false, signal: 'SIGTERM' }],
      ['rateLimit', 'tasks.add', '10/m', {}],
      ['rateLimit', 'tasks.add', '0', { destination: 'w1@host' }],
      ['poolGrow', 2, { destination: 'w1@host' }],
      ['poolShrink', 1, { destination: 'w1@host' }],
      ['shutdown', { destination: 'w1@host' }],
    ]);
  });
});

describe('createDashboard options', () => {
  it('rejects a bad port and an empty token', () => {
    const app = createApp({ name: 'dash-opts', broker: memoryQueueDriver({ namespace: 'dash-opts' }) });
    cleanups.push(() => app.close());
    expect(() => createDashboard(app, { port: 70_000 })).toThrow(/dashboard.port/);
    expect(() => createDashboard(app, { token: ' ' })).toThrow(/dashboard.token/);
  });
});
