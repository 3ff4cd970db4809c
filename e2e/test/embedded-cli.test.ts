/**
 * The `q` command end to end, on the embedded broker in a temporary directory: a worker process, `call`,
 * `result`, `purge`, and a warm shutdown on SIGTERM.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '@q/core';
import type { App } from '@q/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAllQ, runQ, startQ } from './support/q-process.js';
import type { QProcess } from './support/q-process.js';

let dir: string;
let pidfile: string;
let worker: QProcess;
let client: App;
const q = (...args: string[]) => runQ(['-A', 'examples/quickstart/tasks.ts', '--embedded-dir', dir, ...args]);

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'q-e2e-cli-'));
  pidfile = path.join(dir, 'worker.pid');
  client = createApp({ name: 'e2e-client', embeddedDir: dir });
  worker = startQ(['-A', 'examples/quickstart/tasks.ts', '-l', 'info', 'worker', '-c', '10', '-n', 'e2e@%h', '--pidfile', pidfile],
    { Q_EMBEDDED_DIR: dir });
  await worker.waitFor(/\bready\b/, 25_000);
}, 30_000);

afterAll(async () => {
  killAllQ();
  await client?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('q on the embedded broker', () => {
  it('prints the banner and writes the pidfile', () => {
    expect(worker.stdout()).toMatch(/e2e@/);
    expect(worker.stdout()).toMatch(/app:\s+quickstart/);
    expect(worker.stdout()).toContain(dir);
    expect(worker.stdout()).toMatch(/\[tasks\][\s\S]*\. tasks\.add\n[\s\S]*\. tasks\.xsum/);
    expect(readFileSync(pidfile, 'utf8').trim()).toBe(String(worker.child.pid));
  });

  it('calls tasks.add and prints its result', async () => {
    const call = await q('call', 'tasks.add', '--args', '[2,2]');
    expect(call.code, call.stderr).toBe(0);
    expect(call.lastLine).toMatch(/^[0-9a-f-]{36}$/);
    const result = await q('result', call.lastLine, '--timeout', '10');
    expect(result.code, result.stderr).toBe(0);
    expect(result.lastLine).toBe('4');
  });

  it('reports a failed task: exit 1, type and message, traceback on stderr', async () => {
    const call = await q('call', 'tasks.fail', '--args', '["it broke"]');
    const result = await q('result', call.lastLine, '--timeout', '10');
    expect(result.code).toBe(1);
    expect(result.lastLine).toMatch(/^\w+: it broke$/);
    expect(result.stderr).toMatch(/Traceback[\s\S]*tasks\.ts/);
  });

  it('holds a task sent with --countdown', async () => {
    const started = performance.now();
    const call = await q('call', 'tasks.add', '--args', '[20,22]', '--countdown', '2');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await client.asyncResult(call.lastLine).state()).toBe('PENDING');
    const result = await q('result', call.lastLine, '--timeout', '10');
    expect(result.lastLine).toBe('42');
    expect(performance.now() - started).toBeGreaterThanOrEqual(2000);
  });

  it('rejects bad JSON with exit 2', async () => {
    const call = await q('call', 'tasks.add', '--args', '[2,');
    expect(call.code).toBe(2);
    expect(call.stderr).toMatch(/error: -a\/--args: invalid JSON/);
  });

  it('purges waiting messages with -f', async () => {
    await Promise.all([q('call', 'tasks.add', '--args', '[1,1]', '--queue', 'e2e-idle'),
      q('call', 'tasks.add', '--args', '[1,1]', '--queue', 'e2e-idle')]);
    const purge = await q('purge', '-Q', 'e2e-idle', '-f');
    expect(purge.code, purge.stderr).toBe(0);
    expect(purge.lastLine).toBe('Purged 2 messages from 1 queue: e2e-idle (2).');
    expect((await q('purge', '-Q', 'e2e-idle', '-f')).lastLine).toBe('Purged 0 messages from 1 queue: e2e-idle (0).');
  });

  it('shuts down warm on SIGTERM: exit 0, pidfile removed', async () => {
    worker.child.kill('SIGTERM');
    expect(await worker.exited()).toBe(0);
    expect(worker.stderr()).toMatch(/warm shutdown/);
    expect(existsSync(pidfile)).toBe(false);
  });
});

describe('q worker cold shutdown', () => {
  it('aborts a running task on a second SIGINT and exits 1', async () => {
    const cold = startQ(['-A', 'examples/quickstart/tasks.ts', '--embedded-dir', dir, 'worker', '-Q', 'e2e-cold', '-n', 'cold@%h']);
    await cold.waitFor(/\bready\b/, 20_000);
    const call = await q('call', 'tasks.sleep', '--args', '[30]', '--queue', 'e2e-cold');
    expect(call.code).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const stopping = performance.now();
    cold.child.kill('SIGINT');
    await cold.waitFor(/warm shutdown/, 5_000);
    cold.child.kill('SIGINT');
    expect(await cold.exited()).toBe(1);
    expect(cold.stderr()).toMatch(/cold shutdown/);
    expect(performance.now() - stopping).toBeLessThan(10_000);
  }, 25_000);
});
