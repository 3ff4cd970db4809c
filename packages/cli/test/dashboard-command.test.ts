/**
 * `q dashboard` beside a `q worker -E` on the embedded broker: it prints where it listens, its API lists the worker
 * ONLINE and a task sent meanwhile with its result, `/metrics` counts it, actions are refused without a token, and
 * SIGINT stops it with exit 0.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '@q/core';
import type { App } from '@q/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startQ, stopAllQ } from './q-process.js';

let dir: string;
const clients: App[] = [];

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'q-cli-dashboard-'));
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  stopAllQ();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** GETs `url` as JSON until `done` holds (or fails after `timeoutMs`). */
async function poll<T>(url: string, done: (body: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const body = (await (await fetch(url)).json()) as T;
    if (done(body)) return body;
    if (Date.now() > deadline) throw new Error(`${url}: condition not met; last ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('q dashboard', () => {
  it('serves the cluster a worker -E makes: the worker, a task and its result, metrics; read-only without a token', async () => {
    const embedded = path.join(dir, 'run-1');
    const worker = startQ(['-A', 'test/fixtures/ops-app.ts', '--embedded-dir', embedded, 'worker', '-E', '-n', 'd1@test', '--heartbeat-interval', '0.5']);
    const dashboard = startQ(['-A', 'test/fixtures/ops-app.ts', '--embedded-dir', embedded, 'dashboard', '--port', '0']);
    await dashboard.waitFor(/dashboard: http:\/\/127\.0\.0\.1:\d+ \(read-only: no --token\)/, 30_000);
    const base = /dashboard: (http:\/\/127\.0\.0\.1:\d+)/.exec(dashboard.output())?.[1] ?? '';
    await worker.waitFor(/ready\./, 30_000);
    await poll<{ workers: { hostname: string; status: string }[] }>(`${base}/api/workers`, (b) => b.workers.some((w) => w.hostname === 'd1@test' && w.status === 'ONLINE'));

    const client = createApp({ embeddedDir: embedded });
    clients.push(client);
    const result = await client.sendTask('ops.sleep', [1]);
    await result.get({ timeout: 10 });
    const tasks = await poll<{ tasks: { uuid: string; state: string; name: string }[] }>(`${base}/api/tasks`, (b) => b.tasks.some((t) => t.uuid === result.id && t.state === 'SUCCESS'));
    expect(tasks.tasks.find((t) => t.uuid === result.id)?.name).toBe('ops.sleep');

    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^q_cluster_tasks\{task="ops\.sleep",state="SUCCESS"\} 1$/m);
    const refused = await fetch(`${base}/api/tasks/${result.id}/revoke`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(refused.status).toBe(403);

    dashboard.signal('SIGINT');
    expect(await dashboard.exited()).toBe(0);
  });
});
