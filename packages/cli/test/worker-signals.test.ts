/**
 * Signals and process flags of a real `q worker` (Celery's workers guide): SIGTERM warm, SIGINT warm then cold,
 * SIGQUIT cold, SIGHUP restarts the command (new pid, same flags), SIGUSR1 logs the running tasks and stacks without
 * opening Node's inspector; `--pidfile` and `--logfile` expand the node name; `--purge`; queues from `task.queues`
 * minus `-X`.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '@q/core';
import type { App } from '@q/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startQ, stopAllQ } from './q-process.js';

let dir: string;
const clients: App[] = [];
let runs = 0;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'q-cli-signals-'));
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  stopAllQ();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A fresh embedded folder, a client on it, and `q worker` args using it. */
function setup(workerArgs: string[], env: Record<string, string> = {}) {
  const embedded = path.join(dir, `run-${++runs}`);
  const client = createApp({ embeddedDir: embedded });
  clients.push(client);
  const start = () => startQ(['-A', 'test/fixtures/ops-app.ts', '--embedded-dir', embedded, '-l', 'info', 'worker', ...workerArgs], env);
  return { client, start, embedded };
}

async function until(check: () => boolean, timeoutMs = 15_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const read = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '');

describe('q worker: signals', () => {
  it('SIGTERM stops warm: the running task finishes, exit 0', async () => {
    const { client, start } = setup([]);
    const worker = start();
    await worker.waitFor(/ready\./, 30_000);
    const r = await client.sendTask('ops.sleep', [800]);
    await new Promise((res) => setTimeout(res, 400)); // picked up (the embedded broker polls)
    worker.signal('SIGTERM');
    expect(await worker.exited()).toBe(0);
    expect(await r.get({ timeout: 5 })).toBe(800);
    expect(worker.output()).toMatch(/warm shutdown/);
  });

  it('a first SIGINT stops warm, a second cold (exit 1)', async () => {
    const { client, start } = setup([]);
    const worker = start();
    await worker.waitFor(/ready\./, 30_000);
    await client.sendTask('ops.sleep', [5000]);
    await new Promise((res) => setTimeout(res, 700));
    worker.signal('SIGINT');
    await worker.waitFor(/warm shutdown \(waiting for running tasks\)/);
    worker.signal('SIGINT');
    expect(await worker.exited()).toBe(1);
    expect(worker.output()).toMatch(/worker: cold shutdown/);
  });

  it('SIGQUIT stops cold (exit 1)', async () => {
    const { start } = setup([]);
    const worker = start();
    await worker.waitFor(/ready\./, 30_000);
    worker.signal('SIGQUIT');
    expect(await worker.exited()).toBe(1);
    expect(worker.output()).toMatch(/worker: cold shutdown/);
  });

  it('SIGUSR1 logs each running task and the stacks, and does not open the inspector', async () => {
    const { client, start } = setup([]);
    const worker = start();
    await worker.waitFor(/ready\./, 30_000);
    const r = await client.sendTask('ops.sleep', [2000]);
    await new Promise((res) => setTimeout(res, 700));
    const from = worker.output().length;
    worker.signal('SIGUSR1');
    await worker.waitFor(/SIGUSR1: stacks of the main thread/, 10_000, from);
    const dump = worker.output().slice(from);
    expect(dump).toMatch(new RegExp(`SIGUSR1: 1 task running\\s+ops\\.sleep\\[${r.id}\\] args=\\(2000,?\\) kwargs=\\{\\} running for \\d+\\.\\d{3}s`));
    expect(dump).toMatch(/JavaScript stack:/);
    expect(worker.output()).not.toMatch(/Debugger listening/);
    expect(await r.get({ timeout: 5 })).toBe(2000);
    worker.signal('SIGTERM');
    expect(await worker.exited()).toBe(0);
  });

  it('SIGUSR1 lists the tasks a threads pool runs too', async () => {
    const { client, start } = setup(['-P', 'threads', '-c', '2']);
    const worker = start();
    await worker.waitFor(/ready\./, 30_000);
    const r = await client.sendTask('ops.sleep', [2000]);
    await new Promise((res) => setTimeout(res, 1000));
    const from = worker.output().length;
    worker.signal('SIGUSR1');
    await worker.waitFor(new RegExp(`SIGUSR1: 1 task running\\s+ops\\.sleep\\[${r.id}\\]`), 10_000, from);
    expect(await r.get({ timeout: 5 })).toBe(2000);
    worker.signal('SIGTERM');
    expect(await worker.exited()).toBe(0);
  });

  it('SIGHUP stops warm and runs the same command again: new pid in the expanded pidfile, logs in the expanded logfile', async () => {
    const pidfile = path.join(dir, `hup-${runs + 1}-%n%I.pid`);
    const logfile = path.join(dir, `hup-${runs + 1}-%n-%i.log`);
    const { client, start } = setup(['-n', 'hup@%h', '--pidfile', pidfile, '--logfile', logfile]);
    const pidPath = pidfile.replace('%n%I', 'hup');
    const logPath = logfile.replace('%n-%i', 'hup-0');
    const worker = start();
    await until(() => read(logPath).includes('ready.'), 30_000, 'ready in the logfile');
    expect(read(pidPath).trim()).toBe(String(worker.child.pid));
    expect(worker.output()).not.toMatch(/ready\./); // log lines go to the file, the banner to stdout
    const r = await client.sendTask('ops.sleep', [600]);
    await new Promise((res) => setTimeout(res, 300));
    worker.signal('SIGHUP');
    expect(await worker.exited()).toBe(0);
    expect(await r.get({ timeout: 5 })).toBe(600); // the warm stop let it finish
    await until(() => read(logPath).split('ready.').length === 3, 30_000, 'the restarted worker ready');
    const newPid = Number(read(pidPath).trim());
    expect(newPid).toBeGreaterThan(0);
    expect(newPid).not.toBe(worker.child.pid);
    expect(read(logPath)).toMatch(/restarting \(warm shutdown, then the same command again\)/);
    expect(read(logPath)).toMatch(/hup@\S+: stopped shutdown=restart/); // the old worker's last lines reached the file
    const again = await client.sendTask('ops.sleep', [1]);
    expect(await again.get({ timeout: 10 })).toBe(1);
    process.kill(newPid, 'SIGTERM');
    await until(() => !existsSync(pidPath), 15_000, 'the new worker to remove its pidfile');
  });
});

describe('q worker: queues and --purge', () => {
  it('consumes every queue of task.queues without -Q, less those of -X', async () => {
    const { start } = setup(['-X', 'low'], { OPS_QUEUES: 'high,low,extra' });
    const worker = start();
    await worker.waitFor(/ready\./, 30_000);
    expect(worker.output()).toMatch(/queues: \[high, extra\]|queues=\["high","extra"\]/);
    worker.signal('SIGTERM');
    expect(await worker.exited()).toBe(0);
  });

  it('--purge erases the waiting messages of the consumed queues before consuming, and says how many', async () => {
    const { client, start } = setup(['--purge']);
    await client.sendTask('ops.sleep', [1]);
    await client.sendTask('ops.sleep', [1]);
    await client.sendTask('ops.sleep', [1]);
    const worker = start();
    await worker.waitFor(/ready\./, 30_000);
    expect(worker.output()).toMatch(/purge: Purged 3 messages from 1 queue: celery \(3\)\./);
    worker.signal('SIGTERM');
    expect(await worker.exited()).toBe(0);
  });

  it('--prefetch-multiplier 0 is accepted (unlimited)', async () => {
    const { client, start } = setup(['--prefetch-multiplier', '0', '-O', 'fair']);
    const worker = start();
    await worker.waitFor(/ready\./, 30_000);
    expect(worker.output()).toMatch(/prefetch/);
    const r = await client.sendTask('ops.sleep', [1]);
    expect(await r.get({ timeout: 10 })).toBe(1);
    worker.signal('SIGTERM');
    expect(await worker.exited()).toBe(0);
  });
});
