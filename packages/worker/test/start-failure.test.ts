/** A worker whose start fails to connect closes the app it owns; stop() while connecting ends the retries. */
import { keyValueBackend, memoryKeyValueDriver, memoryQueueDriver, silentLogger, virtualTransport } from '@q/core';
import { refusingConnections } from '@q/testing';
import { describe, expect, it } from 'vitest';
import { createWorker } from '../src/index.js';
import { makeApp, namespace, sleep } from './helpers.js';

const transport = (refusals: number) => refusingConnections(virtualTransport(memoryQueueDriver({ namespace: namespace() })), refusals, 'refused');
const backend = (refusals: number) => refusingConnections(keyValueBackend(memoryKeyValueDriver({ namespace: namespace() })), refusals, 'refused');

describe('worker.start() failing to connect', () => {
  it('closes the app it owns before rejecting', async () => {
    const broker = transport(0);
    const results = backend(Infinity);
    const app = makeApp(namespace(), {
      broker: broker.adapter,
      backend: results.adapter,
      brokerOptions: { connectionMaxRetries: 1 },
    });
    const worker = createWorker(app, { hostname: 'w1@test', logger: silentLogger });
    await expect(worker.start()).rejects.toMatchObject({ code: 'Q_ERR_CONNECTION_FAILED', message: 'refused' });
    expect(worker.state).toBe('stopped');
    expect(results.stats.connects).toBe(2);
    expect(broker.stats.closes).toBe(1); // the broker had connected: the app was closed
  });

  it('leaves the app open with closeApp: false', async () => {
    const broker = transport(0);
    const results = backend(1);
    const app = makeApp(namespace(), {
      broker: broker.adapter,
      backend: results.adapter,
      brokerOptions: { connectionRetry: false },
    });
    const worker = createWorker(app, { hostname: 'w1@test', closeApp: false, logger: silentLogger });
    await expect(worker.start()).rejects.toThrow('refused');
    expect(broker.stats.closes).toBe(0);
    await expect(app.getTransport()).resolves.toBe(broker.adapter); // still connected: the caller closes the app
  });

  it('closes the app when the broker is refused and the worker stops while retrying', async () => {
    const broker = transport(Infinity);
    const app = makeApp(namespace(), { broker: broker.adapter });
    const worker = createWorker(app, { hostname: 'w1@test', logger: silentLogger });
    const starting = worker.start().catch((e: unknown) => e);
    await sleep(150); // attempts at 0 and 0.1 s, then waiting 0.2 s
    const started = Date.now();
    await worker.stop();
    expect(Date.now() - started).toBeLessThan(100);
    expect(await starting).toMatchObject({ code: 'Q_ERR_CONNECTION_FAILED', message: 'the app was closed while connecting' });
    expect(worker.state).toBe('stopped');
    const attempts = broker.stats.connects;
    await sleep(400);
    expect(broker.stats.connects).toBe(attempts);
  });

  it('starts again once the broker is reachable', async () => {
    const broker = transport(1);
    const app = makeApp(namespace(), { broker: broker.adapter, brokerOptions: { connectionRetry: false } });
    const worker = createWorker(app, { hostname: 'w1@test', logger: silentLogger });
    await expect(worker.start()).rejects.toThrow('refused');
    await worker.start();
    expect(worker.state).toBe('running');
    await worker.stop();
    expect(broker.stats.closes).toBe(1);
  });
});
