/**
 * Test helpers: `@q/testing`'s app on the memory transport and backend, its in-process worker and its waits, with
 * this package's defaults (each app and worker is closed after the test), and what only the worker's tests need.
 */
import { createTestApp, startTestWorker, testNamespace, waitFor, waitForState } from '@q/testing';
import type { TestWorkerOptions } from '@q/testing';
import type { App, AppOptions, TaskMeta, Transport } from '@q/core';
import type { Delivery } from '@q/core/adapter';
import { afterEach } from 'vitest';
export { recordingLogger } from '@q/testing';
import type { Worker } from '../src/index.js';

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => undefined);
});

/** A fresh namespace shared by the apps of one test. */
export const namespace = (): string => testNamespace('worker-test');

/** An app on the memory transport of `ns` (unless `options.broker` is given), and its memory backend unless `options.backend` is given. */
export function makeApp(ns: string, options: AppOptions = {}): App {
  const app = createTestApp({ ...options, namespace: ns });
  cleanups.push(() => app.close());
  return app;
}

/**
 * A started worker (node name `w1@test`) that is stopped (cold) after the test. It logs through `options.logger` or
 * the app's logger; with neither it logs nothing (not the console, as a worker would). Unlike `@q/testing`'s, it
 * runs with the worker's own defaults (it closes the app; mingle, gossip and heartbeat on): these tests test them.
 */
export async function startWorker(app: App, options: TestWorkerOptions = {}): Promise<Worker> {
  const worker = await startTestWorker(app, { hostname: 'w1@test', closeApp: true, mingle: true, gossip: true, heartbeat: true, ...options });
  cleanups.push(() => worker.stop({ graceful: false }));
  return worker;
}

/** Poll `read` until `done` holds (or fail after `timeoutMs`). */
export const until = <T>(read: () => Promise<T> | T, done: (v: T) => boolean, timeoutMs = 3000): Promise<T> => waitFor(read, done, { timeoutMs });

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The stored meta of `id`, waiting until its state is one of `states`. */
export const metaOf = (app: App, id: string, states: readonly string[] = ['SUCCESS', 'FAILURE', 'REVOKED']): Promise<TaskMeta> =>
  waitForState(app, id, states, { timeoutMs: 3000 });

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
