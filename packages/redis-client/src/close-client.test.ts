/**
 * `closeClient` without a Redis: a bare TCP server that accepts connections and never answers, so a client stays
 * in its handshake (`connect`: CLIENT SETNAME and the INFO ready check unanswered) for as long as the test wants.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { activeHandles } from '@q/test-services';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeClient, stopClient } from './close-client.js';

describe('closeClient', () => {
  let server: Server;
  let port: number;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    server = createServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.resume(); // read (and drop) what the client sends, so a client's close is seen
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function client(): Redis {
    const c = new Redis({ port, host: '127.0.0.1', lazyConnect: true, connectionName: 'q:test', retryStrategy: () => 50 });
    c.on('error', () => undefined);
    return c;
  }

  it('stops a client in its handshake at once, and leaves no timer (ioredis would leave one for 2 s)', async () => {
    await sleep(10);
    const before = activeHandles();
    const c = client();
    const connecting = c.connect().catch((err: unknown) => err);
    await new Promise((resolve) => c.once('connect', resolve));
    expect(c.status).toBe('connect');
    const t0 = Date.now();
    await closeClient(c);
    expect(Date.now() - t0).toBeLessThan(200);
    expect(c.status).toBe('end');
    expect(await connecting).toBeInstanceOf(Error);
    await sleep(20); // the failed handshake calls disconnect() again: nothing must start
    expect(activeHandles(), String(process.getActiveResourcesInfo())).toBeLessThanOrEqual(before);
  });

  it('stops a client whose socket is still being opened, or not yet made', async () => {
    await sleep(10);
    const before = activeHandles();
    for (const turns of [0, 1]) {
      const c = client();
      const connecting = c.connect().catch((err: unknown) => err);
      if (turns) await new Promise((resolve) => process.nextTick(resolve));
      expect(c.status).toBe('connecting');
      await closeClient(c);
      expect(c.status).toBe('end');
      expect(await connecting).toBeInstanceOf(Error);
    }
    await sleep(20);
    expect(activeHandles(), String(process.getActiveResourcesInfo())).toBeLessThanOrEqual(before);
  });

  it('stopClient stops a client in its handshake, its pending commands rejected, without a timer', async () => {
    await sleep(10);
    const before = activeHandles();
    const c = client();
    const connecting = c.connect().catch((err: unknown) => err);
    await new Promise((resolve) => c.once('connect', resolve));
    const pending = c.get('k').catch((err: unknown) => err); // queued until ready: never answered here
    await stopClient(c);
    expect(c.status).toBe('end');
    expect(await pending).toMatchObject({ message: 'Connection is closed.' });
    expect(await connecting).toBeInstanceOf(Error);
    await stopClient(c);
    await sleep(20);
    expect(activeHandles(), String(process.getActiveResourcesInfo())).toBeLessThanOrEqual(before);
  });

  it('ends a client that never connected, and does nothing to one that ended', async () => {
    const c = client();
    await closeClient(c);
    expect(c.status).toBe('end');
    await closeClient(c);
    expect(c.status).toBe('end');
  });
});
