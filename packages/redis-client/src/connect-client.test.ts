/**
 * `connectClient`/`connectClients` without a Redis: a refused port, and a bare TCP server (a client without the
 * ready check, client name and client info is ready as soon as its socket connects).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { freePort } from '@q/test-services';
import { Redis, type RedisOptions } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, connectClients } from './connect-client.js';

const strategy = (): number => 50;
const opened: Redis[] = [];
function client(port: number, extra: RedisOptions = {}): Redis {
  const c = new Redis({ port, lazyConnect: true, retryStrategy: strategy, enableReadyCheck: false, disableClientInfo: true, ...extra });
  c.on('error', () => undefined);
  opened.push(c);
  return c;
}

describe('connectClient', () => {
  let server: Server;
  let open: number;
  const sockets = new Set<Socket>();
  let refused: number;

  beforeAll(async () => {
    server = createServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    open = (server.address() as { port: number }).port;
    refused = await freePort();
  });
  afterAll(async () => {
    for (const c of opened) c.disconnect();
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('a refused connect rejects naming the cause and leaves the client stopped; the next call tries again', async () => {
    const c = client(refused);
    let attempts = 0;
    c.on('connecting', () => attempts++);
    await expect(connectClient(c)).rejects.toThrow(/^Connection is closed\. \(connect ECONNREFUSED 127\.0\.0\.1:\d+\)$/);
    expect(c.status).toBe('end'); // not reconnecting in the background
    expect(c.options.retryStrategy).toBe(strategy); // its own reconnect policy is back
    await expect(connectClient(c)).rejects.toThrow(/ECONNREFUSED/);
    expect(attempts).toBe(2); // a real second attempt
    expect(c.status).toBe('end');
  });

  it('a refused password rejects naming the refusal (WRONGPASS), never the password', async () => {
    const refusing = createServer((s) => {
      sockets.add(s);
      let replies = 0;
      s.on('data', () => void s.write(replies++ === 0 ? '-WRONGPASS invalid username-password pair or user is disabled.\r\n' : '-NOAUTH Authentication required.\r\n'));
    });
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
    try {
      const c = client((refusing.address() as { port: number }).port, { password: 'pw-never-shown', enableReadyCheck: true });
      const failure = await connectClient(c).then(() => null, (err: unknown) => err as Error);
      expect(failure?.message).toMatch(/^Connection is closed\. \(WRONGPASS invalid username-password pair/);
      expect(failure?.message).not.toContain('pw-never-shown');
      expect(c.status).toBe('end');
    } finally {
      await new Promise<void>((resolve) => refusing.close(() => resolve()));
    }
  });

  it('a client whose first attempt failed connects on a later call and then reconnects on its own', async () => {
    const port = await freePort();
    const c = client(port);
    await expect(connectClient(c)).rejects.toThrow(/ECONNREFUSED/);
    const late = createServer((s) => sockets.add(s));
    await new Promise<void>((resolve) => late.listen(port, '127.0.0.1', resolve));
    try {
      await connectClient(c);
      expect(c.status).toBe('ready');
      await connectClient(c); // nothing to do
      expect(c.options.retryStrategy).toBe(strategy);
      // The server drops the connection: the client reconnects by its own strategy (it was not left stopped).
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => c.once('reconnecting', () => resolve()));
      await new Promise<void>((resolve) => c.once('ready', () => resolve()));
      expect(c.status).toBe('ready');
    } finally {
      c.disconnect();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => late.close(() => resolve()));
    }
  });

  it('two calls at once share the attempt and restore the client\'s own strategy once', async () => {
    const c = client(refused);
    const both = await Promise.allSettled([connectClient(c), connectClient(c)]);
    expect(both.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect(c.status).toBe('end');
    expect(c.options.retryStrategy).toBe(strategy);
  });

  it('connectClients stops the connected clients when another one fails, or when the check fails', async () => {
    const up = client(open);
    const down = client(refused);
    await expect(connectClients([up, down])).rejects.toThrow(/ECONNREFUSED/);
    expect([up.status, down.status]).toEqual(['end', 'end']);

    const a = client(open);
    const b = client(open);
    await expect(connectClients([a, b], () => Promise.reject(new Error('INFO failed')))).rejects.toThrow('INFO failed');
    expect([a.status, b.status]).toEqual(['end', 'end']);
    expect([a.options.retryStrategy, b.options.retryStrategy]).toEqual([strategy, strategy]);

    await connectClients([a, b]);
    expect([a.status, b.status]).toEqual(['ready', 'ready']);
  });

  it('a client already connecting counts with the outcome of that attempt', async () => {
    const c = client(refused);
    void c.connect().catch(() => undefined); // a connect under way (as a first command starts one)
    expect(c.status).toBe('connecting');
    await expect(connectClient(c)).rejects.toThrow('Connection is closed.');
    expect(c.status).toBe('end');
  });
});
