/**
 * The soak's own redis-server: on a free loopback port, in memory only (no RDB, no AOF), started and stopped by
 * the soak (a child in its own process group, killed with the harness on any exit). Never the shared Redis.
 */
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { start } from '../proc.js';
import type { Child } from '../proc.js';

/** A running private redis-server. */
export interface SoakRedis {
  readonly url: string;
  readonly redis: Redis;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts `redis-server` and resolves once it answers PING (10 s at most). */
export async function startSoakRedis(): Promise<SoakRedis> {
  const port = await freePort();
  const server: Child = start('soak redis-server', 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
  await server.waitForLine(/Ready to accept connections/, 10_000);
  const url = `redis://127.0.0.1:${port}/0`;
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  return {
    url,
    redis,
    async stop() {
      redis.disconnect();
      await server.stop(3_000);
    },
  };
}
