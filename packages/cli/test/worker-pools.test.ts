/**
 * A real `q worker -P prefork` / `-P threads`: CPU-bound tasks in parallel in children that loaded the app module,
 * `workerProcessInit` in each, a hard time limit that ends an endless synchronous loop, children that die
 * (`process.exit`, SIGKILL) or leak past `--max-memory-per-child` replaced, and a warm stop.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '@q/core';
import type { App } from '@q/core';
import { afterAll, describe, expect, it } from 'vitest';
import { startQ, stopAllQ } from './q-process.js';
import type { QProcess } from './q-process.js';

const dirs: string[] = [];
const clients: App[] = [];

afterAll(async () => {
  for (const client of clients) await client.close();
  stopAllQ();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function startPoolWorker(pool: string, flags: string[]): Promise<{ worker: QProcess; client: App; initFile: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `q-cli-${pool}-`));
  dirs.push(dir);
  const initFile = path.join(dir, 'init.log');
  const worker = startQ(['-A', 'test/fixtures/pool-app.ts', '--embedded-dir', dir, '-l', 'info', 'worker', '-P', pool, ...flags], { POOL_INIT_FILE: initFile });
  await worker.waitFor(/ready\./, 60_000);
  const client = createApp({ embeddedDir: dir });
  clients.push(client);
  return { worker, client, initFile };
}

describe('q worker -P prefork', () => {
  let worker: QProcess;
  let client: App;
  let initFile: string;

  it('starts children that load the app and run workerProcessInit; runs CPU-bound tasks in parallel', async () => {
    ({ worker, client, initFile } = await startPoolWorker('prefork', ['-c', '2', '--time-limit', '2', '--max-memory-per-child', String(160 * 1024)]));
    expect(worker.output()).toMatch(/concurrency:\s+2 \(prefork\)/);
    const started = Date.now();
    const results = await Promise.all([1, 2, 3, 4].map(() => client.sendTask('pools.cpu', [400])));
    const where = await Promise.all(results.map((r) => r.get({ timeout: 20 }) as Promise<string>));
    expect(Date.now() - started).toBeLessThan(1600 + 700);
    expect(new Set(where).size).toBe(2);
    expect(where.every((w) => !w.startsWith(`${worker.child.pid}/`))).toBe(true);
    expect(readFileSync(initFile, 'utf8').trim().split('\n').length).toBeGreaterThanOrEqual(2);
  }, 90_000);

  it('fails an endless synchronous loop with TimeLimitExceeded after 2 s and runs the next task', async () => {
    const started = Date.now();
    const spin = await client.sendTask('pools.spin');
    await expect(spin.get({ timeout: 20 })).rejects.toMatchObject({ excType: 'TimeLimitExceeded' });
    expect(Date.now() - started).toBeGreaterThan(1900);
    expect(Date.now() - started).toBeLessThan(3500);
    const next = Date.now();
    expect(typeof (await (await client.sendTask('pools.where')).get({ timeout: 10 }))).toBe('string');
    expect(Date.now() - next).toBeLessThan(1500);
  }, 30_000);

  it('replaces a child that calls process.exit or is killed with SIGKILL; its task fails with WorkerLostError', async () => {
    const exited = await client.sendTask('pools.exit');
    await expect(exited.get({ timeout: 20 })).rejects.toMatchObject({ excType: 'WorkerLostError' });
    const killed = await client.sendTask('pools.sigkill');
    await expect(killed.get({ timeout: 20 })).rejects.toMatchObject({ excType: 'WorkerLostError' });
    await expect(killed.get({ timeout: 1 })).rejects.toThrow(/signal 9 \(SIGKILL\)/);
    expect(typeof (await (await client.sendTask('pools.where')).get({ timeout: 20 }))).toBe('string');
    expect(worker.child.exitCode).toBeNull();
  }, 30_000);

  it('replaces a child that leaks past --max-memory-per-child after its task', async () => {
    const leaker = (await (await client.sendTask('pools.leak', [80])).get({ timeout: 20 })) as string;
    const seen = new Set<string>();
    for (let i = 0; i < 6; i += 1) seen.add((await (await client.sendTask('pools.cpu', [100])).get({ timeout: 20 })) as string);
    expect(seen.has(leaker)).toBe(false);
  }, 30_000);

  it('stops warm on SIGTERM', async () => {
    worker.signal('SIGTERM');
    expect(await worker.exited()).toBe(0);
  }, 30_000);
});

describe('q worker -P threads', () => {
  it('runs CPU-bound tasks in parallel threads and kills a thread at its hard limit', async () => {
    const { worker, client } = await startPoolWorker('threads', ['-c', '2', '--time-limit', '2']);
    expect(worker.output()).toMatch(/concurrency:\s+2 \(threads\)/);
    const started = Date.now();
    const results = await Promise.all([1, 2, 3, 4].map(() => client.sendTask('pools.cpu', [400])));
    const where = await Promise.all(results.map((r) => r.get({ timeout: 20 }) as Promise<string>));
    expect(Date.now() - started).toBeLessThan(1600 + 700);
    expect(new Set(where).size).toBe(2);
    const spin = await client.sendTask('pools.spin');
    await expect(spin.get({ timeout: 20 })).rejects.toMatchObject({ excType: 'TimeLimitExceeded' });
    expect(typeof (await (await client.sendTask('pools.where')).get({ timeout: 10 }))).toBe('string');
    worker.signal('SIGTERM');
    expect(await worker.exited()).toBe(0);
  }, 90_000);
});
