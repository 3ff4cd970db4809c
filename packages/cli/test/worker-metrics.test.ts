/**
 * `q worker --metrics-port`: the worker serves Prometheus metrics (`@q/metrics`) while it runs; a task it ran is
 * counted by name and state.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '@q/core';
import type { App } from '@q/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startQ, stopAllQ } from './q-process.js';

let dir: string;
const clients: App[] = [];

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'q-cli-metrics-'));
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  stopAllQ();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A port nothing listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

describe('q worker --metrics-port', () => {
  it('serves /metrics with the tasks it ran by name and state', async () => {
    const embedded = path.join(dir, 'run-1');
    const port = await freePort();
    const client = createApp({ embeddedDir: embedded });
    clients.push(client);
    const worker = startQ(['-A', 'test/fixtures/ops-app.ts', '--embedded-dir', embedded, 'worker', '-n', 'm1@test', '--metrics-port', String(port)]);
    await worker.waitFor(/ready\./, 30_000);
    const result = await client.sendTask('ops.sleep', [1]);
    await result.get({ timeout: 10 });
    const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(body).toMatch(/^q_tasks_total\{worker="m1@test",task="ops\.sleep",state="SUCCESS"\} 1$/m);
    expect(body).toMatch(/^q_task_runtime_seconds_count\{worker="m1@test",task="ops\.sleep"\} 1$/m);
    expect(body).toMatch(/q_worker_pool_size\{worker="m1@test"\} \d+/);
  });
});
