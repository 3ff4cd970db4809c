/** Connect retries end when the app gives up: a failed `connect()`, or `close()` while connecting. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { keyValueBackend } from '../backend/key-value-backend.js';
import { memoryKeyValueDriver } from '../backend/memory-key-value-driver.js';
import { ConnectionError } from '../errors/q-error.js';
import { memoryQueueDriver } from '../transport/memory-queue-driver.js';
import { virtualTransport } from '../transport/virtual-transport.js';
import { createApp, type App } from './app.js';
import type { Connectable } from './connect-retry.js';

/** What the next connect attempt does: fail (with this error), succeed, or wait for `release`. */
type Outcome = 'refused' | 'fatal' | 'ok' | 'hold';

/** A memory adapter whose `connect` does what `next()` says, counting attempts and closes. */
function controlled<T extends Connectable>(inner: T, name: string) {
  const stats = { attempts: 0, closes: 0 };
  let next: (attempt: number) => Outcome = () => 'refused';
  let release: (() => void) | null = null;
  const connect = async (): Promise<void> => {
    stats.attempts++;
    const outcome = next(stats.attempts);
    if (outcome === 'refused') throw new ConnectionError('Q_ERR_CONNECTION_FAILED', `${name} refused`, { retryable: true });
    if (outcome === 'fatal') throw new ConnectionError('Q_ERR_CONNECTION_FAILED', `${name} bad credentials`);
    if (outcome === 'hold') await new Promise<void>((resolve) => (release = resolve));
    await inner.connect();
  };
  const close = async (): Promise<void> => {
    stats.closes++;
    await inner.close();
  };
  const adapter = new Proxy(inner, {
    get(target, key) {
      if (key === 'connect') return connect;
      if (key === 'close') return close;
      if (key === 'describe') return () => name;
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return {
    adapter,
    stats,
    behave(fn: (attempt: number) => Outcome) {
      next = fn;
    },
    release: () => release?.(),
  };
}

function setup(maxRetries: number | null = null) {
  const broker = controlled(virtualTransport(memoryQueueDriver()), 'broker');
  const backend = controlled(keyValueBackend(memoryKeyValueDriver()), 'backend');
  const app = createApp({
    broker: broker.adapter,
    backend: backend.adapter,
    brokerOptions: { connectionMaxRetries: maxRetries },
  });
  apps.push(app);
  return { app, broker, backend };
}

const apps: App[] = [];
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

describe('a failed connect() ends the other side\'s retries', () => {
  it('stops the backend retrying when the broker fails for good, and close() returns at once', async () => {
    const { app, broker, backend } = setup();
    broker.behave((n) => (n < 3 ? 'refused' : 'fatal')); // attempts at 0, 0.1 and 0.3 s: the last fails for good
    const connecting = app.connect().catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(250);
    expect(backend.stats.attempts).toBe(2); // and waiting for its third attempt, at 0.3 s too
    await vi.advanceTimersByTimeAsync(50);
    expect(await connecting).toMatchObject({ code: 'Q_ERR_CONNECTION_FAILED', message: 'broker bad credentials' });
    expect(backend.stats.attempts).toBe(2);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(backend.stats.attempts).toBe(2);
    await app.close();
    expect(backend.stats.closes).toBe(0);
  });

  it('closes a side that connected while the other failed', async () => {
    const { app, broker, backend } = setup();
    broker.behave(() => 'fatal');
    backend.behave(() => 'hold');
    const connecting = app.connect().catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(0);
    backend.release(); // the attempt under way succeeds after connect() gave up
    expect(await connecting).toMatchObject({ message: 'broker bad credentials' });
    expect(backend.stats.closes).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('close() while connecting', () => {
  it('ends the retries at once and rejects the pending connects with a ConnectionError', async () => {
    const { app, broker, backend } = setup();
    const connecting = app.connect().catch((e: unknown) => e);
    const transport = app.getTransport().catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1000); // attempts at 0, 0.1, 0.3, 0.7 s; the next one waits 0.8 s
    expect(broker.stats.attempts).toBe(4);
    await app.close();
    const err = await connecting;
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err).toMatchObject({ code: 'Q_ERR_CONNECTION_FAILED', retryable: false, message: 'the app was closed while connecting' });
    expect(await transport).toBe(err);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect([broker.stats.attempts, backend.stats.attempts]).toEqual([4, 4]);
  });

  it('closes an attempt that succeeds after close(), and close() waits for it', async () => {
    const { app, broker, backend } = setup();
    broker.behave(() => 'hold');
    backend.behave(() => 'ok');
    const connecting = app.connect().catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(0);
    let closed = false;
    const closing = app.close().then(() => (closed = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(closed).toBe(false);
    broker.release();
    await closing;
    expect(await connecting).toMatchObject({ message: 'the app was closed while connecting' });
    expect([broker.stats.closes, backend.stats.closes]).toEqual([1, 1]);
  });

  it('lets the app connect again afterwards', async () => {
    const { app, broker, backend } = setup();
    const connecting = app.connect().catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(300);
    await app.close();
    await connecting;
    broker.behave(() => 'ok');
    backend.behave(() => 'ok');
    await app.connect();
    expect(await app.getTransport()).toBe(broker.adapter);
    expect(await app.getBackend()).toBe(backend.adapter);
    expect([broker.stats.attempts, backend.stats.attempts]).toEqual([4, 4]);
  });

  it('gives up after connectionMaxRetries as before, leaving no timer', async () => {
    const { app, broker } = setup(2);
    const connecting = app.connect().catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(300);
    expect(await connecting).toMatchObject({ message: expect.stringMatching(/refused$/) });
    expect(broker.stats.attempts).toBe(3);
    expect(vi.getTimerCount()).toBe(0);
  });
});
