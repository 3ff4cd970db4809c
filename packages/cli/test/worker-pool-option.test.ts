/** `q worker -P <pool>`: the built-in pools and those a plugin of the app registers; an unknown one is refused by name. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '@q/core';
import type { App, Plugin } from '@q/core';
import { asyncPool } from '@q/worker';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { clearCliOverrides } from '@q/core/internal';
import { runCli } from '../src/run-cli.js';
import { memoryIo } from './helpers.js';

const KEY = '__qWorkerPoolOptionTestApp';
let dir: string;
const apps: App[] = [];
let runs = 0;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'q-cli-pool-'));
});
afterEach(async () => {
  clearCliOverrides();
  delete (globalThis as Record<string, unknown>)[KEY];
  await Promise.all(apps.splice(0).map((a) => a.close()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A plugin registering the `threads` pool, declaring a default concurrency of 3. */
const threads: Plugin = { name: 'threads-pool', setup: (api) => api.pool('threads', { create: (o) => asyncPool(o), defaultConcurrency: 3 }) };

/** Runs `q -A <module> worker -P <pool>` on an in-memory app until it is ready (then SIGTERM) or it fails. */
async function qWorker(pool: string) {
  const app = createApp({ broker: `memory://pool-${++runs}`, backend: null, plugins: [threads] });
  apps.push(app);
  (globalThis as Record<string, unknown>)[KEY] = app;
  const file = `app-${runs}.mjs`;
  writeFileSync(path.join(dir, file), `export const app = globalThis.${KEY};\n`);
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
    const { code, io } = await qWorker('threads');
    expect(code, io.err()).toBe(0);
    expect(io.out()).toMatch(/concurrency:\s+3 \(threads\)/);
  });

  it('refuses an unknown pool, naming the known ones', async () => {
    const { code, io } = await qWorker('prefork');
    expect(code).toBe(1);
    expect(io.err()).toMatch(/unknown pool "prefork" \(known: async, solo, threads\)/);
  });
});
