/**
 * Remote control of a real worker on the memory broker, through `app.control`: each command's reply has the shape
 * (keys, types) and texts Python Celery 5.2.6 replies (`vectors/control-*.json`).
 */
import { QError, silentLogger } from '@q/core';
import type { App, NodeReply, Plugin } from '@q/core';
import { describe, expect, it } from 'vitest';
import { makeApp, namespace, recordingLogger, startWorker, until } from './helpers.js';
import { capturedReply, pythonApiReplies, shapeOf } from './control-shape.js';

const W = 'w1@test';

/** The one reply of `W` to `command`. */
async function ask(app: App, command: string, args: Record<string, unknown> = {}): Promise<unknown> {
  const replies = await app.control.broadcast(command, { arguments: args, reply: true, destination: [W], timeout: 2 });
  expect(replies).toHaveLength(1);
  return (replies[0] as NodeReply)[W];
}

function setup(options: Parameters<typeof makeApp>[1] = {}): App {
  const app = makeApp(namespace(), options);
  app.task({ name: 'tasks.add', rateLimit: '5/s' }, (a: number, b: number) => a + b);
  app.task({ name: 'tasks.mul' }, (a: number, b: number) => a * b);
  return app;
}

describe('inspect commands reply in Celery shapes', () => {
  it('ping, clock, revoked, registered, conf, report, active_queues, stats', async () => {
    const app = setup();
    await startWorker(app, { mingle: false });
    expect(await ask(app, 'ping')).toEqual(capturedReply('ping'));
    const clock = (await ask(app, 'clock')) as { clock: number };
    expect(shapeOf(clock)).toEqual(shapeOf(capturedReply('clock')));
    expect(await ask(app, 'revoked')).toEqual([]);
    expect(await ask(app, 'registered')).toEqual(['tasks.add [rate_limit=5/s]', 'tasks.mul']);
    expect(await ask(app, 'dump_tasks', { taskinfoitems: ['rate_limit', 'acks_late'] })).toEqual(['tasks.add [rate_limit=5/s acks_late=False]', 'tasks.mul [acks_late=False]']);
    const queues = await ask(app, 'active_queues');
    expect(shapeOf(queues)).toEqual(shapeOf(capturedReply('active-queues')));
    expect(queues).toEqual(capturedReply('active-queues'));
    const report = (await ask(app, 'report')) as { ok: string };
    expect(typeof report.ok).toBe('string');
    expect(report.ok).toContain('software -> q:');
  });

  it('stats has every field of a Python worker, with clock a string', async () => {
    const app = setup();
    const worker = await startWorker(app, { mingle: false });
    expect(await (await app.tasks.get('tasks.mul')!.delay(2, 3)).get({ timeout: 2 })).toBe(6);
    await until(() => worker.counters.processed.get('tasks.mul'), (n) => n === 1);
    const stats = (await ask(app, 'stats')) as Record<string, unknown>;
    // q's pools keep no per-child write counts (Celery's prefork-only `writes`); the memory broker has no heartbeat.
    const skip = ['pool.writes', 'broker.heartbeat', 'broker.hostname', 'broker.userid', 'broker.port', 'broker.virtual_host'];
    expect(shapeOf(stats, skip)).toEqual(shapeOf(capturedReply('stats'), skip));
    expect(stats['clock']).toMatch(/^\d+$/);
    expect(stats['total']).toEqual({ 'tasks.mul': 1 });
    expect(stats['pid']).toBe(process.pid);
    expect(stats['pool']).toMatchObject({ 'max-concurrency': worker.options.concurrency, processes: [process.pid], 'max-tasks-per-child': 'N/A', timeouts: [0, 0] });
    expect(stats['broker']).toMatchObject({ transport: 'memory', connect_timeout: 4, alternates: [] });
    expect(stats['prefetch_count']).toBe(worker.options.prefetch);
  });

  it('conf masks secrets and lists only what differs from the defaults unless asked', async () => {
    const byTenant = (): null => null;
    const app = setup({ task: { trackStarted: true, routes: [[[/^b\./, 'b'], ['a.*', { queue: 'q' }]], byTenant] } });
    await startWorker(app, { mingle: false });
    const conf = (await ask(app, 'conf', { with_defaults: false })) as Record<string, unknown>;
    expect(conf).toMatchObject({ task_track_started: true });
    // task_routes as written (router functions by name), not the compiled routers
    expect(conf['task_routes']).toEqual([{ '/^b\\./': { queue: 'b' }, 'a.*': { queue: 'q' } }, '<function byTenant>']);
    expect(conf).not.toHaveProperty('worker_prefetch_multiplier');
    const all = (await ask(app, 'dump_conf', { with_defaults: true })) as Record<string, unknown>;
    expect(all).toMatchObject({ worker_prefetch_multiplier: 4, control_exchange: 'celery', task_default_routing_key: '********' });
  });

  it('hello answers revoked ids and the clock to another node, null to itself', async () => {
    const app = setup();
    const worker = await startWorker(app, { mingle: false });
    worker.revoke('a1');
    const hello = (await ask(app, 'hello', { from_node: 'other@host', revoked: { b2: [Date.now() / 1000 - 10, 'b2'], c3: [496.87, 'c3'] } })) as {
      revoked: Record<string, [number, string]>;
      clock: number;
    };
    expect(shapeOf(hello)).toEqual(shapeOf(capturedReply('hello')));
    expect(Object.keys(hello.revoked).sort()).toEqual(['a1', 'b2', 'c3']);
    expect(hello.revoked['a1']?.[1]).toBe('a1');
    expect(worker.nodeState.isRevoked('c3')).toBe(true);
    expect(await ask(app, 'hello', { from_node: W, revoked: {} })).toBeNull();
  });

  it('memsample, memdump and objgraph answer', async () => {
    const app = setup();
    await startWorker(app, { mingle: false });
    expect(await ask(app, 'memsample')).toMatch(/^\d+(\.\d+)?(MB|KB|GB|b)$/);
    expect(await ask(app, 'memdump')).toContain('- rss (sample):');
  });

  it('query_task, active, reserved and scheduled answer lists', async () => {
    const app = setup();
    await startWorker(app, { mingle: false });
    expect(await ask(app, 'active', { safe: null })).toEqual([]);
    expect(await ask(app, 'reserved')).toEqual([]);
    expect(await ask(app, 'scheduled')).toEqual([]);
    expect(await ask(app, 'query_task', { ids: ['nope'] })).toEqual({});
  });
});

describe('control commands reply with Celery texts', () => {
  it('revoke one id, a list, with terminate', async () => {
    const app = setup();
    const worker = await startWorker(app, { mingle: false });
    expect(await ask(app, 'revoke', { task_id: 'x1', terminate: false, signal: 'SIGTERM' })).toEqual({ ok: 'tasks x1 flagged as revoked' });
    expect(await ask(app, 'revoke', { task_id: ['x2', 'x3'] })).toEqual({ ok: 'tasks x2, x3 flagged as revoked' });
    expect(await ask(app, 'revoke', { task_id: 'x4', terminate: true, signal: 'SIGKILL' })).toEqual({ ok: 'terminate: tasks unknown' });
    expect(await ask(app, 'terminate', { task_id: ['x5'], signal: 'SIGTERM' })).toEqual({ ok: 'terminate: tasks unknown' });
    expect([...worker.nodeState.revoked]).toEqual(['x1', 'x2', 'x3', 'x4', 'x5']);
    expect(await ask(app, 'revoked')).toEqual(['x1', 'x2', 'x3', 'x4', 'x5']);
    const python = pythonApiReplies();
    expect(shapeOf(await ask(app, 'revoke', { task_id: 'x6' }))).toEqual(shapeOf((python['revoke'] as NodeReply[])[0]?.['w1@cap']));
  });

  it('rate_limit and time_limit: unknown task, bad rate string', async () => {
    const app = setup();
    const worker = await startWorker(app, { mingle: false });
    expect(await ask(app, 'rate_limit', { task_name: 'nope', rate_limit: '10/m' })).toEqual({ error: 'unknown task' });
    expect(await ask(app, 'rate_limit', { task_name: 'tasks.add', rate_limit: 'x/m' })).toEqual({
      error: `Invalid rate limit string: ValueError("could not convert string to float: 'x'")`,
    });
    expect(await ask(app, 'rate_limit', { task_name: 'tasks.add', rate_limit: '5/d' })).toEqual({ error: "Invalid rate limit string: KeyError('d')" });
    expect(await ask(app, 'time_limit', { task_name: 'nope', soft: 1, hard: 2 })).toEqual({ error: 'unknown task' });
    expect(await ask(app, 'time_limit', { task_name: 'tasks.add', soft: 10, hard: 20 })).toEqual(capturedReply('time-limit'));
    expect(worker.timeLimitsOf('tasks.add')?.override).toEqual([20, 10]);
    expect(await ask(app, 'rate_limit', { task_name: 'tasks.add', rate_limit: '10/m' })).toEqual(capturedReply('rate-limit'));
    expect(worker.rateLimits.get('tasks.add')).toBeCloseTo(10 / 60);
    // registered shows the rate set at run time, as written (Celery's task.rate_limit)
    expect(await ask(app, 'rate_limit', { task_name: 'tasks.mul', rate_limit: '3/h' })).toEqual(capturedReply('rate-limit'));
    expect(await ask(app, 'registered')).toEqual(['tasks.add [rate_limit=10/m]', 'tasks.mul [rate_limit=3/h]']);
    expect(await ask(app, 'rate_limit', { task_name: 'tasks.add', rate_limit: '' })).toEqual({ ok: 'rate limit disabled successfully' });
    expect(await ask(app, 'registered')).toEqual(['tasks.add', 'tasks.mul [rate_limit=3/h]']);
  });

  it('pool_grow / pool_shrink on a pool that cannot resize, autoscale without autoscaler, heartbeat, election', async () => {
    const app = setup();
    await startWorker(app, { mingle: false });
    const grow = (await ask(app, 'pool_grow', { n: 1 })) as Record<string, string>;
    expect(grow['error']).toMatch(/^NotImplementedError\('pool async cannot grow'\)$/);
    expect(await ask(app, 'autoscale', { max: 4, min: 2 })).toEqual(capturedReply('autoscale'));
    expect(await ask(app, 'heartbeat')).toBeNull();
    expect((await ask(app, 'pool_restart', { modules: null, reload: false, reloader: null })) as Record<string, string>).toEqual({
      error: `NotImplementedError("pool async cannot restart: its tasks run in the worker's own process (restart the worker instead)")`,
    });
    expect(await ask(app, 'enable_events')).toEqual({ ok: 'task events enabled' });
    expect(await ask(app, 'enable_events')).toEqual({ ok: 'task events already enabled' });
    expect(await ask(app, 'disable_events')).toEqual({ ok: 'task events disabled' });
    expect(await ask(app, 'disable_events')).toEqual({ ok: 'task events already disabled' });
    expect(await ask(app, 'election', { id: 'e1', topic: 'leader', action: null })).toBeNull();
  });

  it('pool_grow and pool_shrink on a pool that resizes', async () => {
    const app = setup();
    const grown: number[] = [];
    const pool = { name: 'elastic', concurrency: 2, active: 0, start: async () => {}, stop: async () => {}, run: async () => ({ kind: 'success' as const, value: null, runtimeMs: 0 }), grow: (n: number) => grown.push(n), shrink: (n: number) => grown.push(-n) };
    await startWorker(app, { mingle: false, pool });
    expect(await ask(app, 'pool_grow', { n: 2 })).toEqual(capturedReply('pool-grow'));
    expect(await ask(app, 'pool_shrink', { n: 1 })).toEqual({ ok: 'pool will shrink' });
    expect(grown).toEqual([2, -1]);
  });

  it('autoscale changes the bounds of an autoscaling pool; pool_grow is refused there', async () => {
    const app = setup();
    const set: [number, number][] = [];
    const pool = {
      name: 'scaling',
      concurrency: 4,
      active: 0,
      start: async () => {},
      stop: async () => {},
      run: async () => ({ kind: 'success' as const, value: null, runtimeMs: 0 }),
      setAutoscale: (max: number, min: number) => {
        set.push([max, min]);
        return [max, min] as const;
      },
    };
    const worker = await startWorker(app, { mingle: false, pool, autoscale: [4, 1] });
    expect(await ask(app, 'autoscale', { max: 6, min: 2 })).toEqual({ ok: 'autoscale now max=6 min=2' });
    expect(set).toEqual([[6, 2]]);
    expect(worker.autoscale).toEqual([6, 2]);
    expect(await ask(app, 'pool_grow', { n: 1 })).toEqual({ error: 'pool_grow is not supported with autoscale. Adjust autoscale range instead.' });
    expect((await ask(app, 'stats')) as Record<string, unknown>).toMatchObject({ autoscaler: { max: 6, min: 2 } });
  });

  it('an unknown command gets KeyError, a failing plugin command its error, and the worker keeps answering', async () => {
    const plugin: Plugin = {
      name: 'cmds',
      setup(api) {
        api.controlCommand({ name: 'flush_cache', args: [{ name: 'region', type: 'string' }], handler: (ctx, args) => `flushed ${String(args['region'])} on ${ctx.hostname}` });
        api.inspectCommand({ name: 'cache_size', handler: () => 42 });
        api.controlCommand({
          name: 'explode',
          handler: () => {
            throw new QError('Q_ERR_CONFIG_INVALID', "it's broken");
          },
        });
      },
    };
    const app = setup({ plugins: [plugin] });
    await startWorker(app, { mingle: false });
    expect(await ask(app, 'no_such_cmd')).toEqual(pythonApiReplies()['unknown_command'] ? { error: "KeyError('no_such_cmd')" } : null);
    expect(await ask(app, 'flush_cache', { region: 'eu' })).toEqual({ ok: `flushed eu on ${W}` });
    expect(await app.control.inspect({ destination: [W] }).call('cache_size')).toEqual({ [W]: 42 });
    expect(await ask(app, 'explode')).toEqual({ error: `QError("it's broken")` });
    expect(await ask(app, 'ping')).toEqual({ ok: 'pong' });
  });

  it('add_consumer and cancel_consumer reply at once', async () => {
    const app = setup();
    await startWorker(app, { mingle: false });
    expect(await ask(app, 'add_consumer', { queue: 'extraq', exchange: null, exchange_type: 'direct', routing_key: null })).toEqual(capturedReply('add-consumer'));
    const names = async (): Promise<string[]> => ((await ask(app, 'active_queues')) as { name: string }[]).map((q) => q.name);
    await until(names, (n) => n.includes('extraq'));
    const python = pythonApiReplies()['active_queues_after_add'] as Record<string, unknown[]>;
    expect(shapeOf(await ask(app, 'active_queues'))).toEqual(shapeOf(python['w1@cap']));
    expect(await ask(app, 'cancel_consumer', { queue: 'extraq' })).toEqual(capturedReply('cancel-consumer'));
    await until(names, (n) => !n.includes('extraq'));
    // Back to back, the deferred add and cancel keep their order.
    await app.control.addConsumer('q2', { destination: [W] });
    await app.control.cancelConsumer('q2', { destination: [W] });
    await app.control.addConsumer('q3', { destination: [W] });
    await until(names, (n) => n.includes('q3'));
    expect(await names()).not.toContain('q2');
  });

  it('shutdown stops the worker warm and sends no reply', async () => {
    const app = setup();
    const worker = await startWorker(app, { mingle: false, closeApp: false });
    expect(await app.control.broadcast('shutdown', { reply: true, destination: [W], timeout: 0.3 })).toEqual([]);
    await until(() => worker.state, (s) => s === 'stopped');
  });
});

describe('who runs a request', () => {
  it('destination and pattern pick the nodes; a disabled pidbox answers nothing', async () => {
    const ns = namespace();
    const app = makeApp(ns);
    await startWorker(app, { mingle: false, hostname: 'a1@test' });
    await startWorker(makeApp(ns), { mingle: false, hostname: 'b1@test' });
    await startWorker(makeApp(ns), { mingle: false, hostname: 'c1@test', enableRemoteControl: false });
    const nodes = async (options: Parameters<App['control']['ping']>[0]): Promise<string[]> =>
      (await app.control.ping({ timeout: 0.3, ...options })).flatMap((r) => Object.keys(r)).sort();
    expect(await nodes({})).toEqual(['a1@test', 'b1@test']);
    expect(await nodes({ destination: ['b1@test'] })).toEqual(['b1@test']);
    expect(await nodes({ pattern: 'a*' })).toEqual(['a1@test']);
    expect(await nodes({ pattern: 'b.@', matcher: 'pcre' })).toEqual(['b1@test']);
  });
});

describe('mingle', () => {
  it('a starting worker takes the revoked ids of the others, and warns about its own name replying twice', async () => {
    const ns = namespace();
    const app = makeApp(ns);
    const first = await startWorker(app, { hostname: 'm1@test' });
    first.revoke(['r1', 'r2']);
    const logger = recordingLogger();
    const second = await startWorker(makeApp(ns, { logger }), { hostname: 'm2@test' });
    expect(second.nodeState.isRevoked('r1')).toBe(true);
    expect(second.nodeState.isRevoked('r2')).toBe(true);
    expect(second.clock.value).toBeGreaterThan(0);
    expect(logger.lines.some((l) => l.msg === 'mingle: sync with 1 nodes')).toBe(true);
    const dupLogger = recordingLogger();
    await startWorker(makeApp(ns, { logger: dupLogger }), { hostname: 'm1@test' });
    expect(dupLogger.lines.some((l) => l.level === 'warn' && l.msg.startsWith('Received multiple replies from node name: m1@test'))).toBe(true);
  });

  it('is off with mingle: false and is quick when alone', async () => {
    const app = makeApp(namespace());
    const started = Date.now();
    const worker = await startWorker(app, { logger: silentLogger });
    expect(Date.now() - started).toBeLessThan(900);
    expect(worker.bootsteps).toContain('mingle');
  });
});
