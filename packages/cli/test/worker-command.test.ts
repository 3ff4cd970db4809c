/**
 * `q worker` with a broker or backend it cannot reach: exits 1 with the error line, the app closed. `-P`: the built-in
 * pools and those a plugin of the app registers; an unknown one is refused by name.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp, keyValueBackend, memoryKeyValueDriver, memoryQueueDriver, virtualTransport } from '@q/core';
import type { App, Plugin } from '@q/core';
import { refusingConnections } from '@q/testing';
import { asyncPool } from '@q/worker';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { clearCliOverrides } from '@q/core/internal';
import { runCli } from '../src/run-cli.js';
import { memoryIo } from './helpers.js';

const KEY = '__qWorkerCommandTestApp';
let dir: string;
const apps: App[] = [];
let runs = 0;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'q-cli-worker-'));
});
afterEach(async () => {
  clearCliOverrides();
  delete (globalThis as Record<string, unknown>)[KEY];
  await Promise.all(apps.splice(0).map((a) => a.close()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A new module in `dir` exporting `app` (each module is imported once). */
function appModule(app: App): string {
  (globalThis as Record<string, unknown>)[KEY] = app;
  const file = `app-${++runs}.mjs`;
  writeFileSync(path.join(dir, file), `export const app = globalThis.${KEY};\n`);
  return file;
}

async function qWorker(brokerRefusals: number, backendRefusals: number) {
  const broker = refusingConnections(virtualTransport(memoryQueueDriver()), brokerRefusals);
  const results = refusingConnections(keyValueBackend(memoryKeyValueDriver()), backendRefusals);
  const app = createApp({ broker: broker.adapter, backend: results.adapter, brokerOptions: { connectionMaxRetries: 1 } });
  apps.push(app);
  const file = appModule(app);
  const io = memoryIo({ cwd: dir });
  const started = Date.now();
  const code = await runCli(['node', 'q', '-A', file, '-l', 'error', 'worker'], io);
  return { code, io, ms: Date.now() - started, broker, results };
}

describe('q worker, unreachable', () => {
  it('exits 1 with the error line once the broker retries are spent', async () => {
    const run = await qWorker(Infinity, 0);
    expect(run.code).toBe(1);
    expect(run.io.err()).toBe('error: connect ECONNREFUSED (Q_ERR_CONNECTION_FAILED)\n');
    expect(run.io.out()).toBe(''); // no banner
    expect(run.broker.stats.connects).toBe(2);
    expect(run.results.stats.closes).toBe(1); // the backend had connected; the app was closed
    expect(run.ms).toBeLessThan(1000);
  });

  it('closes the connected broker when the backend cannot be reached', async () => {
    const run = await qWorker(0, Infinity);
    expect(run.code).toBe(1);
    expect(run.io.err()).toBe('error: connect ECONNREFUSED (Q_ERR_CONNECTION_FAILED)\n');
    expect(run.broker.stats.closes).toBe(1);
  });
});

describe('q worker, logging of an app made without a logger', () => {
  it("gives the app the command's logger, so its connect retries show", async () => {
    const broker = refusingConnections(virtualTransport(memoryQueueDriver()), 1);
    // The module creates its app at import, after the CLI published its overrides (as a user's tasks.ts does).
    (globalThis as Record<string, unknown>)[KEY] = () => {
      const app = createApp({ broker: broker.adapter, backend: null });
      apps.push(app);
      return app;
    };
    const file = `app-${++runs}.mjs`;
    writeFileSync(path.join(dir, file), `export const app = globalThis.${KEY}();\n`);
    const io = memoryIo({ cwd: dir });
    const running = runCli(['node', 'q', '-A', file, '-l', 'warning', 'worker'], io);
    const deadline = Date.now() + 5000;
    while (!io.out().includes('[queues]') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    process.emit('SIGTERM', 'SIGTERM');
    expect(await running).toBe(0);
    expect(io.err()).toMatch(/cannot connect to .*connect ECONNREFUSED; retrying in 0\.1s/);
  });
});

/** A plugin registering the `threads` pool, declaring a default concurrency of 3. */
const threads: Plugin = { name: 'threads-pool', setup: (api) => api.pool('threads', { create: (o) => asyncPool(o), defaultConcurrency: 3 }) };

/** Runs `q -A <module> worker -P <pool>` on an in-memory app until it is ready (then SIGTERM) or it fails. */
async function qWorkerWithPool(pool: string) {
  const app = createApp({ broker: `memory://pool-${++runs}`, backend: null, plugins: [threads] });
  apps.push(app);
  const file = appModule(app);
  const io = memoryIo({ cwd: dir });
  const running = runCli(['node', 'q', '-A', file, '-l', 'error', 'worker', '-P', pool], io);
  const deadline = Date.now() + 5000;
  let settled = false;
  void running.finally(() => (settled = true));
  while (!settled && !io.out().includes('[queues]') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  if (!settled) process.emit('SIGTERM', 'SIGTERM');
  return { code: await running, io };
}

describe('q worker -P', () => {
  it('runs a pool a plugin of the app registers, with the concurrency it declares', async () => {
    const { code, io } = await qWorkerWithPool('threads');
    expect(code, io.err()).toBe(0);
    expect(io.out()).toMatch(/concurrency:\s+3 \(threads\)/);
  });

  it('refuses an unknown pool, naming the known ones', async () => {
    const { code, io } = await qWorkerWithPool('nope');
    expect(code).toBe(1);
    expect(io.err()).toMatch(/unknown pool "nope" \(known: async, prefork, solo, threads\)/);
  });
});
