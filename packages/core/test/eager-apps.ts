/**
 * Apps for the eager-mode tests: a memory backend of their own, and a broker that refuses to connect, so a test
 * fails loudly if anything eager reaches the broker. Closed after each test by {@link closeEagerApps}.
 */
import { randomUUID } from 'node:crypto';
import type { Transport } from '../src/contracts/transport.js';
import { ConnectionError } from '../src/errors/q-error.js';
import { memoryQueueDriver } from '../src/transport/memory-queue-driver.js';
import { virtualTransport } from '../src/transport/virtual-transport.js';
import { createApp, type App } from '../src/app/app.js';
import type { AppOptions } from '../src/config/options.js';

const apps: App[] = [];

/** A transport that fails every connect (a memory transport otherwise): what eager mode must never touch. */
export function refusingBroker(): Transport & { connects: number } {
  const inner = virtualTransport(memoryQueueDriver({ namespace: `refusing-${randomUUID()}` }));
  const broker = Object.create(inner) as Transport & { connects: number };
  broker.connects = 0;
  broker.connect = () => {
    broker.connects++;
    return Promise.reject(new ConnectionError('Q_ERR_CONNECTION_FAILED', 'eager mode must not connect the broker', { retryable: false }));
  };
  broker.close = () => Promise.resolve();
  return broker;
}

/** An app on a refusing broker and a memory backend of its own; `task` options merged over `alwaysEager: false`. */
export function eagerApp(options: AppOptions = {}): { app: App; broker: Transport & { connects: number } } {
  const broker = refusingBroker();
  const app = createApp({
    broker,
    backend: `memory://eager-${randomUUID()}`,
    ...options,
    brokerOptions: { connectionRetry: false, ...(options.brokerOptions ?? {}) },
  });
  apps.push(app);
  return { app, broker };
}

/** Closes the apps made since the last call. */
export async function closeEagerApps(): Promise<void> {
  await Promise.all(apps.splice(0).map((a) => a.close()));
}
