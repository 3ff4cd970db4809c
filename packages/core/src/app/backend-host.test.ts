/** The app's side of backends that ride on the broker: `attach` before `connect`, `onTaskCall` before a send. */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { BackendHost, ResultBackend, TaskMeta } from '../contracts/result-backend.js';
import type { Transport } from '../contracts/transport.js';
import { memoryQueueDriver } from '../transport/memory-queue-driver.js';
import { virtualTransport } from '../transport/virtual-transport.js';
import { createApp, type App } from './app.js';
import type { AppOptions } from '../config/options.js';

const apps: App[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

/** What a fake backend saw, in order. */
type Event = 'attach' | 'connect' | 'close' | `call:${string}`;

/** A backend recording its lifecycle; with `onTaskCall` unless `withCall` is false. */
function fakeBackend(events: Event[], options: { withCall?: boolean; published?: () => number } = {}) {
  const hosts: BackendHost[] = [];
  const published: number[] = [];
  const stored = new Map<string, TaskMeta>();
  const backend: ResultBackend = {
    capabilities: { push: false, chords: 'none', groups: false, autoExpire: false },
    attach(host) {
      events.push('attach');
      hosts.push(host);
    },
    async connect() {
      events.push('connect');
    },
    async close() {
      events.push('close');
    },
    async storeResult(meta) {
      stored.set(meta.taskId, meta);
    },
    async getTaskMeta(id) {
      return stored.get(id) ?? null;
    },
    async forget(id) {
      stored.delete(id);
    },
    describe: () => 'fake://',
  };
  if (options.withCall ?? true) {
    backend.onTaskCall = async (taskId) => {
      events.push(`call:${taskId}`);
      published.push(options.published?.() ?? 0);
    };
  }
  return { backend, hosts, published };
}

/** A memory transport counting publishes. */
function countingTransport(): { transport: Transport; publishes: () => number } {
  const inner = virtualTransport(memoryQueueDriver({ namespace: `host-${randomUUID()}` }));
  let n = 0;
  const transport: Transport = {
    capabilities: inner.capabilities,
    connect: () => inner.connect(),
    close: () => inner.close(),
    declareExchange: (e) => inner.declareExchange(e),
    declareQueue: (q) => inner.declareQueue(q),
    bindQueue: (b) => inner.bindQueue(b),
    publish: async (m, t) => {
      n++;
      await inner.publish(m, t);
    },
    consume: (q, h, o) => inner.consume(q, h, o),
    purge: (q) => inner.purge(q),
    describe: () => inner.describe(),
  };
  return { transport, publishes: () => n };
}

function make(options: AppOptions): App {
  const app = createApp(options);
  apps.push(app);
  return app;
}

describe('ResultBackend.attach', () => {
  it('an instance backend is attached to the app before it connects, with the app oid, transport and result settings', async () => {
    const events: Event[] = [];
    const { backend, hosts } = fakeBackend(events);
    const { transport } = countingTransport();
    const app = make({ broker: transport, backend, result: { expires: 600, persistent: true } });
    await app.getBackend();
    expect(events).toEqual(['attach', 'connect']);
    const host = hosts[0] as BackendHost;
    expect(host.oid).toBe(app.oid);
    expect(host.resultExpiresMs).toBe(600_000);
    expect(host.resultPersistent).toBe(true);
    expect(await host.transport()).toBe(await app.getTransport());
  });

  it('defaults: results expire after one day (86400000 ms) and are transient; null expiry stays null', async () => {
    const a = fakeBackend([]);
    await make({ broker: countingTransport().transport, backend: a.backend }).getBackend();
    expect(a.hosts[0]).toMatchObject({ resultExpiresMs: 86_400_000, resultPersistent: false });
    const b = fakeBackend([]);
    await make({ broker: countingTransport().transport, backend: b.backend, result: { expires: null } }).getBackend();
    expect(b.hosts[0]?.resultExpiresMs).toBeNull();
  });

  it('a URL-resolved backend is attached too, and again after the app closes and reconnects', async () => {
    const events: Event[] = [];
    const made: ReturnType<typeof fakeBackend>[] = [];
    const app = make({
      broker: countingTransport().transport,
      backend: 'fakerpc://',
      plugins: [{ name: 'fake-rpc', setup: (api) => api.backend('fakerpc', () => (made[made.length] = fakeBackend(events)).backend) }],
    });
    await app.getBackend();
    await app.close();
    await app.getBackend();
    expect(events).toEqual(['attach', 'connect', 'close', 'attach', 'connect']);
    expect(made).toHaveLength(2);
    expect(made[1]?.hosts[0]?.oid).toBe(app.oid);
  });
});

describe('ResultBackend.onTaskCall', () => {
  it('is awaited after connecting the backend and before the task is published', async () => {
    const events: Event[] = [];
    const { transport, publishes } = countingTransport();
    const { backend, published } = fakeBackend(events, { published: publishes });
    const app = make({ broker: transport, backend });
    const add = app.task('add', (x: number, y: number) => x + y);
    const first = await add.applyAsync([1, 2]);
    const second = await add.applyAsync([3, 4]);
    expect(events).toEqual(['attach', 'connect', `call:${first.id}`, `call:${second.id}`]);
    expect(published).toEqual([0, 1]);
    expect(publishes()).toBe(2);
  });

  it('is not called for a task sent with ignoreResult (per call, per task, or by sendTask defaults)', async () => {
    const events: Event[] = [];
    const { transport, publishes } = countingTransport();
    const { backend } = fakeBackend(events);
    const app = make({ broker: transport, backend, task: { ignoreResult: true } });
    const quiet = app.task({ name: 'quiet', ignoreResult: true }, () => 1);
    const loud = app.task({ name: 'loud', ignoreResult: false }, () => 1);
    await quiet.applyAsync([]);
    await loud.applyAsync([], {}, { ignoreResult: true });
    await app.sendTask('unregistered');
    expect(publishes()).toBe(3);
    expect(events.filter((e) => e.startsWith('call:'))).toEqual([]);
    const heard = await loud.applyAsync([]);
    expect(events.filter((e) => e.startsWith('call:'))).toEqual([`call:${heard.id}`]);
  });

  it('a backend without onTaskCall is neither connected nor called when tasks are sent', async () => {
    const events: Event[] = [];
    const { transport, publishes } = countingTransport();
    const { backend } = fakeBackend(events, { withCall: false });
    const app = make({ broker: transport, backend });
    const add = app.task('add', (x: number, y: number) => x + y);
    await add.applyAsync([1, 2]);
    await add.applyAsync([3, 4]);
    expect(publishes()).toBe(2);
    expect(events).toEqual(['attach']);
  });

  it('an app without a result backend sends tasks as before', async () => {
    const { transport, publishes } = countingTransport();
    const app = make({ broker: transport, backend: null });
    await app.task('add', (x: number, y: number) => x + y).applyAsync([1, 2]);
    expect(publishes()).toBe(1);
  });
});
