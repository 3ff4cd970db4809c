import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../contracts/logger.js';
import type { Transport } from '../contracts/transport.js';
import { ConnectionError, QError } from '../errors/q-error.js';
import type { TaskContext } from '../task/types.js';
import { memoryQueueDriver } from '../transport/memory-queue-driver.js';
import { virtualTransport } from '../transport/virtual-transport.js';
import { createApp, type App } from './app.js';
import type { AppOptions } from '../config/options.js';

const apps: App[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

function make(options: AppOptions = {}): App {
  const ns = `app-${randomUUID()}`;
  const app = createApp({ broker: `memory://${ns}`, backend: `memory://${ns}`, ...options });
  apps.push(app);
  return app;
}

function captureLogger(lines: { level: string; msg: string }[]): Logger {
  const log = (level: string) => (obj: object | string, msg?: string) => {
    lines.push({ level, msg: typeof obj === 'string' ? obj : (msg ?? '') });
  };
  const logger: Logger = {
    trace: log('trace'), debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), fatal: log('fatal'),
    child: () => logger,
  };
  return logger;
}

/** A transport over a memory driver that counts declarations and fails the first `failures` publishes. */
function flakyTransport(failures: number, error: () => Error = () => new ConnectionError('Q_ERR_CONNECTION_LOST', 'gone', { retryable: true })) {
  const inner = virtualTransport(memoryQueueDriver({ namespace: `flaky-${randomUUID()}` }));
  const counts = { publish: 0, declareQueue: 0 };
  const transport: Transport = {
    capabilities: inner.capabilities,
    connect: () => inner.connect(),
    close: () => inner.close(),
    declareExchange: (e) => inner.declareExchange(e),
    declareQueue: async (q) => {
      counts.declareQueue++;
      await inner.declareQueue(q);
    },
    bindQueue: (b) => inner.bindQueue(b),
    publish: async (m, t) => {
      counts.publish++;
      if (counts.publish <= failures) throw error();
      await inner.publish(m, t);
    },
    consume: (q, h, o) => inner.consume(q, h, o),
    purge: (q) => inner.purge(q),
    describe: () => 'flaky',
  };
  return { transport, counts };
}

describe('app.task', () => {
  it('registers tasks and refuses a duplicate name with Q_ERR_TASK_DUPLICATE', () => {
    const app = make();
    const add = app.task('tasks.add', (x: number, y: number) => x + y);
    expect(app.tasks.get('tasks.add')).toBe(add);
    expect(app.tasks.names().filter((n) => !n.startsWith('celery.'))).toEqual(['tasks.add']);
    expect(app.tasks.names()).toEqual(expect.arrayContaining(['celery.chord_unlock', 'celery.map', 'celery.starmap', 'celery.chunks', 'celery.accumulate']));
    let err: unknown;
    try {
      app.task('tasks.add', () => 0);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(QError);
    expect((err as QError).code).toBe('Q_ERR_TASK_DUPLICATE');
    expect(() => app.tasks.require('nope')).toThrow(/not registered/);
  });

  it('merges task options over conf.task defaults', () => {
    const app = make({ task: { acksLate: true, maxRetries: 7 } });
    const t = app.task({ name: 't', maxRetries: null, queue: 'q' }, () => 1);
    expect(t.options).toMatchObject({ acksLate: true, maxRetries: null, defaultRetryDelay: 180, queue: 'q', bind: false, serializer: 'json' });
    expect(() => app.task({ name: 'u', maxRetrys: 1 } as never, () => 1)).toThrow('task "u" options.maxRetrys is not an option (did you mean task "u" options.maxRetries?)');
  });

  it('runs a bound task with the context first and kwargs bound to positions', async () => {
    const app = make();
    const bound = app.task({ name: 'b', bind: true }, (ctx: TaskContext, x: number, y = 1) => `${ctx.id}:${x + y}`);
    expect(bound.params).toEqual(['x', 'y']);
    const ctx = { id: 'abc' } as TaskContext;
    await expect(bound.run(ctx, [], { x: 2, y: 3 })).resolves.toBe('abc:5');
    await expect(bound.run(ctx, [2], {})).resolves.toBe('abc:3');
    const plain = app.task('p', async (s: string) => s.toUpperCase());
    await expect(plain.run(ctx, [], { s: 'hi' })).resolves.toBe('HI');
    await expect(plain.run(ctx, [], { t: 'hi' })).rejects.toMatchObject({ code: 'Q_ERR_TASK_ARGUMENTS' });
    // A function that throws at once: run() still returns a promise, rejected with that error.
    const boom = app.task('boom', () => {
      throw new Error('boom');
    });
    await expect(boom.run(ctx, [], {})).rejects.toThrow('boom');
  });

  it('end to end on memory: a result stored by a "worker" is read by get()', async () => {
    const app = make();
    const add = app.task('tasks.add', (x: number, y: number) => x + y);
    const result = await add.delay(2, 2);
    const backend = await app.getBackend();
    const value = await add.run({} as TaskContext, [2, 2], {});
    await backend?.storeResult({ taskId: result.id, status: 'SUCCESS', result: value, traceback: null, children: [], dateDone: null }, { expiresMs: null });
    await expect(result.get({ timeout: 1 })).resolves.toBe(4);
  });
});

describe('app.connect', () => {
  it('defaults to the embedded filesystem broker and backend, logging one info line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'q-app-'));
    dirs.push(dir);
    const lines: { level: string; msg: string }[] = [];
    const app = createApp({ embeddedDir: dir, logger: captureLogger(lines) });
    apps.push(app);
    await app.connect();
    await app.connect();
    const info = lines.filter((l) => l.level === 'info');
    expect(info).toHaveLength(1);
    expect(info[0]?.msg).toBe(
      `no broker or result backend configured: using the embedded filesystem broker at ${join(dir, 'broker')} and the embedded filesystem result backend at ${join(dir, 'results')}`,
    );
    await app.sendTask('tasks.x', [1]);
    expect((await stat(join(dir, 'broker'))).isDirectory()).toBe(true);
    expect(await app.getTransport()).toBe(await app.getTransport());
  });

  it('names only the broker when a backend is configured', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'q-app-'));
    dirs.push(dir);
    const lines: { level: string; msg: string }[] = [];
    const app = createApp({ embeddedDir: dir, backend: 'memory://x', logger: captureLogger(lines) });
    apps.push(app);
    await app.connect();
    expect(lines.filter((l) => l.level === 'info').map((l) => l.msg)).toEqual([
      `no broker configured: using the embedded filesystem broker at ${join(dir, 'broker')}`,
    ]);
  });

  it('returns null for getBackend with backend: null, and reconnects after close', async () => {
    const app = make({ backend: null });
    expect(await app.getBackend()).toBeNull();
    const first = await app.getTransport();
    await app.close();
    const second = await app.getTransport();
    expect(second).not.toBe(first);
  });

  it('reports an unknown broker scheme on connect, and can retry after', async () => {
    const app = createApp({ broker: 'nope://x', backend: null });
    apps.push(app);
    await expect(app.connect()).rejects.toMatchObject({ code: 'Q_ERR_URL_SCHEME_UNKNOWN' });
    await expect(app.connect()).rejects.toMatchObject({ code: 'Q_ERR_URL_SCHEME_UNKNOWN' });
  });
});

describe('capabilities', () => {
  it('refuses at connect a queue on a topic or fanout exchange the transport cannot route, naming adapter and setting', async () => {
    const base = virtualTransport(memoryQueueDriver({ namespace: `caps-${randomUUID()}` }));
    let connects = 0;
    const limited: Transport = Object.assign(Object.create(base) as Transport, {
      capabilities: { ...base.capabilities, topic: false, fanout: false },
      connect: async () => void connects++,
      describe: () => 'limited transport',
    });
    const app = make({ broker: limited, backend: null, task: { queues: [{ name: 'logs', exchange: 'logs', exchangeType: 'topic', routingKey: 'log.#' }] } });
    const err = await app.connect().then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(QError);
    expect(err).toMatchObject({ code: 'Q_ERR_CAPABILITY_UNSUPPORTED', retryable: false });
    expect((err as Error).message).toMatch(/limited transport .*"topic".*task\.queues\[0\] \("logs"/);
    expect(connects).toBe(0);

    const fine = make({ broker: base, backend: null, task: { queues: [{ name: 'logs', exchange: 'logs', exchangeType: 'topic', routingKey: 'log.#' }] } });
    await expect(fine.connect()).resolves.toBeUndefined();
  });
});

describe('app.publish', () => {
  it('declares each queue once per connection', async () => {
    const { transport, counts } = flakyTransport(0);
    const app = make({ broker: transport });
    await app.sendTask('a', []);
    await app.sendTask('b', []);
    await app.sendTask('c', [], {}, { queue: 'other' });
    expect(counts).toEqual({ publish: 3, declareQueue: 2 });
    await app.close();
    await app.sendTask('a', []);
    expect(counts.declareQueue).toBe(3);
  });

  it('retries retryable publish errors per the retry policy', async () => {
    const { transport, counts } = flakyTransport(2);
    const lines: { level: string; msg: string }[] = [];
    const app = make({ broker: transport, logger: captureLogger(lines), task: { publishRetryPolicy: { intervalStep: 0.01, intervalMax: 0.01 } } });
    await app.sendTask('a', []);
    expect(counts.publish).toBe(3);
    expect(lines.filter((l) => l.level === 'warn')).toHaveLength(2);
  });

  it('gives up after maxRetries, and does not retry non-retryable errors or with retry: false', async () => {
    const flaky = flakyTransport(10);
    const app = make({ broker: flaky.transport, task: { publishRetryPolicy: { maxRetries: 2, intervalStep: 0, intervalMax: 0 } } });
    await expect(app.sendTask('a', [])).rejects.toMatchObject({ code: 'Q_ERR_CONNECTION_LOST' });
    expect(flaky.counts.publish).toBe(3);

    const fatal = flakyTransport(10, () => new Error('bad'));
    const app2 = make({ broker: fatal.transport });
    await expect(app2.sendTask('a', [])).rejects.toThrow('bad');
    expect(fatal.counts.publish).toBe(1);

    const noRetry = flakyTransport(10);
    const app3 = make({ broker: noRetry.transport });
    await expect(app3.sendTask('a', [], {}, { retry: false })).rejects.toMatchObject({ code: 'Q_ERR_CONNECTION_LOST' });
    expect(noRetry.counts.publish).toBe(1);
  });

  it('runs beforePublish (which may edit headers) and afterPublish hooks', async () => {
    const ns = `hooks-${randomUUID()}`;
    const seen: string[] = [];
    const app = make({
      broker: `memory://${ns}`,
      plugins: [{
        name: 'stamp',
        setup(api) {
          api.hook('beforePublish', (p) => { p.message.headers.stamped = p.taskName; seen.push(`before:${p.routingKey}`); });
          api.hook('afterPublish', (p) => { seen.push(`after:${p.taskId.length}`); });
        },
      }],
    });
    await app.sendTask('tasks.hooked', [1]);
    expect(seen).toEqual(['before:celery', 'after:36']);
    const driver = memoryQueueDriver({ namespace: ns });
    const [lease] = await driver.reserve(['celery'], { max: 1, waitMs: 0 });
    expect(JSON.parse(lease?.payload ?? '{}').headers.stamped).toBe('tasks.hooked');
  });

  it('app.use adds a plugin after the configured ones', async () => {
    const app = make({ plugins: [{ name: 'first', setup() {} }] });
    await app.use({ name: 'second', setup() {} });
    expect(app.plugins.names()).toEqual(['q:builtin', 'first', 'second']);
  });

  it('compresses with a codec when asked', async () => {
    const ns = `gzip-${randomUUID()}`;
    const app = make({ broker: `memory://${ns}` });
    await app.sendTask('t', [1], {}, { compression: 'gzip' });
    const [lease] = await memoryQueueDriver({ namespace: ns }).reserve(['celery'], { max: 1, waitMs: 0 });
    expect(JSON.parse(lease?.payload ?? '{}').headers.compression).toBe('application/x-gzip');
  });
});

describe('native delay', () => {
  it('publishes a task with a near ETA delayed by a transport that delays natively, and at once by one that does not', async () => {
    const delayed = `delay-${randomUUID()}`;
    const plain = `plain-${randomUUID()}`;
    const nativeDelay = { maxDelayMs: 900_000 };
    const delaying = make({ broker: virtualTransport(memoryQueueDriver({ namespace: delayed, nativeDelay })), backend: null });
    const holding = make({ broker: virtualTransport(memoryQueueDriver({ namespace: plain })), backend: null });
    const sentAt = Date.now();
    await delaying.sendTask('t', [], {}, { countdown: 0.4 });
    await holding.sendTask('t', [], {}, { countdown: 0.4 });
    expect(await memoryQueueDriver({ namespace: plain }).reserve(['celery'], { max: 1, waitMs: 0 })).toHaveLength(1);
    const peek = memoryQueueDriver({ namespace: delayed, nativeDelay });
    expect(await peek.reserve(['celery'], { max: 1, waitMs: 0 })).toHaveLength(0);
    const [lease] = await peek.reserve(['celery'], { max: 1, waitMs: 3000 });
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(350);
    // The message still carries its eta, so a worker (q or Celery) that gets it early would hold it.
    expect(JSON.parse(lease?.payload ?? '{}').headers.eta).toEqual(expect.any(String));
  });
});

describe('connection retry', () => {
  function failingConnect(failures: number, retryable: boolean) {
    const { transport } = flakyTransport(0);
    let attempts = 0;
    const wrapped: Transport = {
      ...transport,
      connect: async () => {
        attempts++;
        if (attempts <= failures) throw new ConnectionError('Q_ERR_CONNECTION_FAILED', 'refused', { retryable });
        await transport.connect();
      },
    };
    return { wrapped, attempts: () => attempts };
  }

  it('retries a retryable connect failure, then succeeds', async () => {
    const { wrapped, attempts } = failingConnect(2, true);
    const lines: { level: string; msg: string }[] = [];
    const app = make({ broker: wrapped, backend: null, logger: captureLogger(lines) });
    await app.connect();
    expect(attempts()).toBe(3);
    expect(lines.filter((l) => l.level === 'warn').map((l) => l.msg)[0]).toMatch(/^cannot connect to flaky: refused; retrying in 0\.1s$/);
  });

  it('names the target once when the error already does', async () => {
    const { transport } = flakyTransport(0);
    let attempts = 0;
    const wrapped: Transport = {
      ...transport,
      connect: async () => {
        if (++attempts === 1) throw new ConnectionError('Q_ERR_CONNECTION_FAILED', 'cannot connect to flaky: ECONNREFUSED', { retryable: true });
        await transport.connect();
      },
    };
    const lines: { level: string; msg: string }[] = [];
    const app = make({ broker: wrapped, backend: null, logger: captureLogger(lines) });
    await app.connect();
    expect(lines.filter((l) => l.level === 'warn').map((l) => l.msg)).toEqual(['cannot connect to flaky: ECONNREFUSED; retrying in 0.1s']);
  });

  it('gives up after connectionMaxRetries, and at once when not retryable or retry is off', async () => {
    const a = failingConnect(5, true);
    await expect(make({ broker: a.wrapped, backend: null, brokerOptions: { connectionMaxRetries: 1 } }).connect()).rejects.toMatchObject({
      code: 'Q_ERR_CONNECTION_FAILED',
    });
    expect(a.attempts()).toBe(2);
    const b = failingConnect(5, false);
    await expect(make({ broker: b.wrapped, backend: null }).connect()).rejects.toThrow('refused');
    expect(b.attempts()).toBe(1);
    const c = failingConnect(5, true);
    await expect(make({ broker: c.wrapped, backend: null, brokerOptions: { connectionRetry: false } }).connect()).rejects.toThrow('refused');
    expect(c.attempts()).toBe(1);
  });
});

describe('CLI overrides', () => {
  it("gives the CLI's logger to an app created without one, and leaves an app's own logger alone", () => {
    const key = Symbol.for('q.cli.overrides');
    const cli: { level: string; msg: string }[] = [];
    (globalThis as Record<symbol, unknown>)[key] = { logger: captureLogger(cli) };
    try {
      const plain = createApp({ broker: 'memory://plain', backend: null });
      plain.log.warn('from plain');
      const own: { level: string; msg: string }[] = [];
      const mine = createApp({ broker: 'memory://mine', backend: null, logger: captureLogger(own) });
      mine.log.warn('from mine');
      expect(cli.map((l) => l.msg)).toEqual(['from plain']);
      expect(own.map((l) => l.msg)).toEqual(['from mine']);
    } finally {
      delete (globalThis as Record<symbol, unknown>)[key];
    }
  });

  it('lets the command line broker/backend/embeddedDir win over the options in code', async () => {
    const key = Symbol.for('q.cli.overrides');
    (globalThis as Record<symbol, unknown>)[key] = { broker: 'nope://cli', embeddedDir: '/tmp/q-cli-override' };
    try {
      const app = createApp({ broker: 'memory://code', backend: null });
      apps.push(app);
      expect(app.conf.embeddedDir).toBe('/tmp/q-cli-override');
      await expect(app.getTransport()).rejects.toThrow('unknown broker URL scheme "nope://"');
    } finally {
      delete (globalThis as Record<symbol, unknown>)[key];
    }
  });
});
