/**
 * Test helpers: an app on the in-memory transport and backend, a worker on it, and polling.
 */
import { createApp, memoryKeyValueDriver, memoryQueueDriver, silentLogger } from '@q/core';
import type { App, AppOptions, TaskMeta, Transport } from '@q/core';
import type { Delivery } from '@q/core/adapter';
import { afterEach } from 'vitest';
export { recordingLogger } from '@q/test-services';
import { createWorker } from '../src/index.js';
import type { Worker, WorkerOptions } from '../src/index.js';

let seq = 0;
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => undefined);
});

/** A fresh namespace shared by the apps of one test. */
export function namespace(): string {
  seq += 1;
  return `worker-test-${process.pid}-${seq}-${Date.now()}`;
}

/** An app on the memory transport of `ns` (unless `options.broker` is given), and its memory backend unless `options.backend` is given. */
export function makeApp(ns: string, options: AppOptions = {}): App {
  const app = createApp({
    name: 'test',
    ...options,
    broker: options.broker ?? memoryQueueDriver({ namespace: ns }),
    backend: options.backend !== undefined ? options.backend : memoryKeyValueDriver({ namespace: ns }),
  });
  cleanups.push(() => app.close());
  return app;
}

/**
 * A started worker that is stopped (cold) after the test. It logs through `options.logger` or the app's logger;
 * with neither it logs nothing (not the console, as a worker would).
 */
export async function startWorker(app: App, options: WorkerOptions<Worker> = {}): Promise<Worker> {
  const quiet = app.log === silentLogger ? { logger: silentLogger } : {};
  const worker = createWorker(app, { hostname: 'w1@test', ...quiet, ...options });
  cleanups.push(() => worker.stop({ graceful: false }));
  await worker.start();
  return worker;
}

/** Poll `read` until `done` holds (or fail after `timeoutMs`). */
export async function until<T>(read: () => Promise<T> | T, done: (v: T) => boolean, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs}ms; last value: ${JSON.stringify(value)}`);
    await sleep(5);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The stored meta of `id`, waiting until its state is one of `states`. */
export async function metaOf(app: App, id: string, states: readonly string[] = ['SUCCESS', 'FAILURE', 'REVOKED']): Promise<TaskMeta> {
  const backend = await app.getBackend();
  if (!backend) throw new Error('no backend');
  const meta = await until(() => backend.getTaskMeta(id), (m) => m !== null && states.includes(m.status));
  return meta as TaskMeta;
}


/**
 * Wrap the app's transport so every ack/nack of a consumed delivery is recorded in `log` (when it is sent).
 * With `hold`, the broker's reply to each ack/nack is delayed until `hold` resolves.
 */
export function recordSettlements(app: App, log: string[], hold?: Promise<void>): void {
  const original = app.getTransport.bind(app);
  app.getTransport = async (): Promise<Transport> => {
    const transport = await original();
    return new Proxy(transport, {
      get(target, key) {
        if (key !== 'consume') {
          const value = Reflect.get(target, key) as unknown;
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        }
        const consume: Transport['consume'] = (queue, handler, options) =>
          target.consume(
            queue,
            (delivery: Delivery) =>
              handler({
                message: delivery.message,
                info: delivery.info,
                ack: async () => {
                  log.push('ack');
                  await hold;
                  await delivery.ack();
                },
                nack: async (o) => {
                  log.push(o.requeue ? 'requeue' : 'drop');
                  await hold;
                  await delivery.nack(o);
                },
              }),
            options,
          );
        return consume;
      },
    });
  };
}
