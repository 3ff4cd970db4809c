/**
 * What the transport writes on its connections: the commands of one event-loop turn leave in one socket write
 * (`coalesceWrites`), also after a reconnect; a blocking connection learns its CLIENT ID once per connection, and a
 * wait is still cut short by CLIENT UNBLOCK after that connection was killed and came back.
 */
import type { Socket } from 'node:net';
import { REDIS, servicesAvailable } from '@q/test-services';
import { Redis } from 'ioredis';
import { describe, expect, it, vi } from 'vitest';
import { BlockingPool } from '../src/blocking-pool.js';
import { clientOptions, coalesceWrites, parseRedisUrl } from '@q/redis-client';
import { flushDb1, killClients, rawClient, uniqueClientName, until, URL1 } from './helpers.js';

const ok = await servicesAvailable('transport-redis', REDIS);

/** Spies on the socket's low-level writes: one `_writev` or `_write` call is one system call. */
function countWrites(client: Redis): { calls: () => number; chunks: () => number } {
  const socket = client.stream as Socket & { _writev: (...a: unknown[]) => void; _write: (...a: unknown[]) => void };
  const writev = vi.spyOn(socket, '_writev');
  const write = vi.spyOn(socket, '_write');
  return {
    calls: () => writev.mock.calls.length + write.mock.calls.length,
    chunks: () => writev.mock.calls.reduce((n, c) => n + (c[0] as unknown[]).length, 0) + write.mock.calls.length,
  };
}

describe.skipIf(!ok)('connection writes', () => {
  const admin = rawClient();
  flushDb1(admin);

  it('sends the commands of one turn in one write, in order, and again after a reconnect', async () => {
    const name = uniqueClientName('coalesce');
    const client = coalesceWrites(new Redis({ host: '127.0.0.1', port: 6379, db: 1, lazyConnect: true, connectionName: name }));
    try {
      await client.connect();
      let writes = countWrites(client);
      await expect(Promise.all([client.echo('a'), client.set('k', 'v'), client.get('k'), client.echo('b')])).resolves.toEqual(['a', 'OK', 'v', 'b']);
      expect(writes.calls()).toBe(1);
      expect(writes.chunks()).toBe(4);
      // Turns apart: one write each.
      await client.echo('c');
      await client.echo('d');
      expect(writes.calls()).toBe(3);

      const before = client.stream;
      expect(await killClients(admin, name)).toBe(1);
      await until(() => client.stream !== before && client.status === 'ready', 5000, 'the reconnect');
      writes = countWrites(client);
      await expect(Promise.all([client.echo('x'), client.echo('y'), client.echo('z')])).resolves.toEqual(['x', 'y', 'z']);
      expect(writes.calls()).toBe(1);
    } finally {
      client.disconnect();
    }
  });

  it('asks a blocking connection its CLIENT ID once per connection, and still cuts a wait short after a reconnect', async () => {
    const name = uniqueClientName('blocker');
    const pool = new BlockingPool(() => clientOptions(parseRedisUrl(URL1), 'blocking', { clientName: name }));
    const blocker = pool.acquire();
    const ids = vi.spyOn(blocker.client, 'client');
    const unblock = (id: number): void => void admin.call('CLIENT', 'UNBLOCK', String(id));
    try {
      for (let i = 0; i < 3; i++) expect(await blocker.peek('nothing-here', 20, undefined, unblock)).toBe(false);
      expect(ids.mock.calls.filter((c) => String(c[0]) === 'ID')).toHaveLength(1);
      const first = blocker.id;
      expect(first).not.toBeNull();

      const before = blocker.client.stream;
      expect(await killClients(admin, name)).toBe(1);
      await until(() => blocker.client.stream !== before && blocker.client.status === 'ready', 5000, 'the reconnect');
      expect(blocker.id).toBeNull();
      const abort = new AbortController();
      const t0 = Date.now();
      const waiting = blocker.peek('nothing-here', 5000, abort.signal, unblock);
      await until(() => blocker.id !== null && blocker.id !== first);
      abort.abort();
      expect(await waiting).toBe(false);
      expect(Date.now() - t0).toBeLessThan(2000);
      expect(ids.mock.calls.filter((c) => String(c[0]) === 'ID')).toHaveLength(2);
    } finally {
      await pool.close();
    }
  });
});
