/**
 * Test helpers: a transport that records what goes through it, apps on the memory transport (`@q/testing`'s), polling
 * (`@q/testing`'s `waitFor`), a worker answering a client.
 */
import { randomUUID } from 'node:crypto';
import { RemoteError, memoryQueueDriver, silentLogger, virtualTransport } from '@q/core';
import type { App, AppOptions, Transport } from '@q/core';
import type { Delivery, Message, PublishTarget, QueueDeclaration } from '@q/core/adapter';
import { createTestApp, startTestWorker, testNamespace, waitFor } from '@q/testing';
import type { Worker } from '@q/worker';
import { expect, onTestFinished } from 'vitest';
export { recordingLogger } from '@q/testing';
import { rpcBackend, type RpcBackend } from '../src/index.js';

/** One thing the spied transport was asked to do, in order. */
export type SpyEvent =
  | { kind: 'declareQueue'; queue: QueueDeclaration }
  | { kind: 'publish'; message: Message; target: PublishTarget }
  | { kind: 'consume'; queue: string; noAck: boolean };

/** A transport forwarding to `inner` and recording declarations, publishes and consumes. */
export function spyTransport(inner: Transport): Transport & { events: SpyEvent[] } {
  const events: SpyEvent[] = [];
  return {
    events,
    capabilities: inner.capabilities,
    connect: () => inner.connect(),
    close: () => inner.close(),
    declareExchange: (e) => inner.declareExchange(e),
    declareQueue: async (queue) => {
      events.push({ kind: 'declareQueue', queue });
      await inner.declareQueue(queue);
    },
    bindQueue: (b) => inner.bindQueue(b),
    publish: async (message, target) => {
      events.push({ kind: 'publish', message, target });
      await inner.publish(message, target);
    },
    consume: async (queue, handler, options) => {
      events.push({ kind: 'consume', queue, noAck: options.noAck ?? false });
      return inner.consume(queue, handler, options);
    },
    purge: (q) => inner.purge(q),
    describe: () => inner.describe(),
  };
}

/** A fresh memory broker namespace. */
export const namespace = (): string => testNamespace('rpc-test');

/** A memory transport on `ns`. */
export function memoryTransport(ns: string): Transport {
  return virtualTransport(memoryQueueDriver({ namespace: ns }), { pollIntervalMs: 5 });
}

const apps: App[] = [];

/** An app on the memory broker `ns` (closed by {@link closeApps}). */
export function makeApp(options: AppOptions): App {
  const app = createTestApp({ name: 'rpc-test', ...options });
  apps.push(app);
  return app;
}

/** Closes every app made by {@link makeApp}. */
export async function closeApps(): Promise<void> {
  await Promise.all(apps.splice(0).map((a) => a.close()));
}

/** Polls `read` until `done` holds; throws after `timeoutMs`. */
export const until = <T>(read: () => T | Promise<T>, done: (v: T) => boolean, timeoutMs = 3000): Promise<T> => waitFor(read, done, { timeoutMs });

/** The bodies (as text) of the messages waiting in `queue`, read with a fresh consumer that leaves them there. */
export async function peekQueue(transport: Transport, queue: string, waitMs = 150): Promise<string[]> {
  const seen: Delivery[] = [];
  const consumer = await transport.consume(queue, (d) => void seen.push(d), { prefetch: 0 });
  await new Promise((resolve) => setTimeout(resolve, waitMs));
  await consumer.cancel();
  await Promise.all(seen.map((d) => d.nack({ requeue: true })));
  return seen.map((d) => new TextDecoder().decode(d.message.body));
}


/**
 * An rpc backend attached to a host of its own, as an app would attach it (a fresh oid; the transport made by
 * `makeTransport`, connected on first use and closed when the test ends), for the conformance suite.
 */
export function attachedBackend(makeTransport: () => Transport): RpcBackend {
  const backend = rpcBackend();
  let transport: Promise<Transport> | null = null;
  backend.attach({
    oid: randomUUID(),
    transport: () =>
      (transport ??= (async () => {
        const t = makeTransport();
        await t.connect();
        onTestFinished(() => t.close());
        return t;
      })()),
    logger: silentLogger,
    resultExpiresMs: 60_000,
    resultPersistent: false,
  });
  return backend;
}

/** The suite option that tells the conformance suite where an rpc backend reads its replies. */
export const replyToOf = (backend: unknown): string => (backend as RpcBackend).replyTo ?? '';

/**
 * A real q worker on `workerApp` answers `client` over the rpc backend: 20 sums, a typed failure, and a tracked
 * task whose STARTED the client sees before its result. The worker goes into `workers` (stopped by the caller).
 */
export async function workerAnswersClient(client: App, workerApp: App, workers: Worker[], hostname: string): Promise<void> {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  for (const app of [client, workerApp]) {
    app.task('tasks.add', (x: number, y: number) => x + y);
    app.task({ name: 'tasks.fail', params: ['message'] }, (message: string) => {
      throw new TypeError(message);
    });
    app.task({ name: 'tasks.slow', trackStarted: true }, async () => {
      await gate;
      return 'done';
    });
  }
  workers.push(await startTestWorker(workerApp, { hostname }));

  const sums = await Promise.all(Array.from({ length: 20 }, (_, i) => client.sendTask('tasks.add', [i, i])));
  expect(await Promise.all(sums.map((r) => r.get({ timeout: 10 })))).toEqual(Array.from({ length: 20 }, (_, i) => 2 * i));

  const failed = await (await client.sendTask('tasks.fail', ['nope'])).get({ timeout: 10 }).then(() => null, (e: unknown) => e);
  expect(failed).toBeInstanceOf(RemoteError);
  expect(failed).toMatchObject({ excType: 'TypeError', excArgs: ['nope'] });

  const slow = await client.sendTask('tasks.slow');
  await until(() => slow.state(), (s) => s === 'STARTED', 5000);
  release();
  expect(await slow.get({ timeout: 10 })).toBe('done');
}
