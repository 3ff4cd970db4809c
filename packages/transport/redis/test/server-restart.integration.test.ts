/**
 * A worker survives a Redis server restart: consuming resumes on its own and nothing is lost.
 * This suite starts its OWN redis-server (`privateRedis`: a free port, AOF on, a temp dir) so it can stop and
 * restart it without touching the shared server; the process is stopped in afterAll.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AsyncResult, createApp, silentLogger } from '@q/core';
import { freePort, missingRedisServer, privateRedis, runsHere, type PrivateRedis } from '@q/test-services';
import { createWorker } from '@q/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisTransport } from '../src/index.js';
import { sleep, until } from './helpers.js';

const runs = runsHere('transport-redis restart', [missingRedisServer()]);

describe.skipIf(!runs)('redis server restart', () => {
  let dir: string;
  let port: number;
  let server: PrivateRedis | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'q-redis-restart-'));
    port = await freePort();
    server = privateRedis(port, dir);
    await server.start();
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('resumes consuming after the server restarts and runs every task exactly once', async () => {
    const url = `redis://127.0.0.1:${port}/0`;
    const ran: number[] = [];
    const app = createApp({ name: 'restart', broker: redisTransport({ url }), backend: 'memory://restart' });
    app.task('restart.record', (n: number) => {
      ran.push(n);
      return n;
    });
    const client = createApp({ name: 'restart-client', broker: redisTransport({ url }), backend: 'memory://restart' });
    const worker = createWorker(app, { logger: silentLogger, concurrency: 4, closeApp: true });
    await worker.start();
    try {
      const first: AsyncResult[] = [];
      for (let i = 0; i < 20; i++) first.push(await client.sendTask('restart.record', [i]));
      await until(() => ran.length >= 20, 10_000, 'first batch');

      const redis = server as PrivateRedis;
      await redis.stop();
      await sleep(300);
      await redis.start();

      // The client reconnects too; publish a second batch after the restart.
      for (let i = 20; i < 40; i++) await client.sendTask('restart.record', [i]);
      await until(() => ran.length >= 40, 20_000, 'second batch after the restart');
      await sleep(200);
      expect([...ran].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
      expect(first).toHaveLength(20);
    } finally {
      await worker.stop({ graceful: true });
      await client.close();
    }
  }, 60_000);
});
