/**
 * A real `q worker` process stays up through stray errors of its tasks: a throw from a timer and a forgotten
 * rejected promise fail the task that started them; one from a task that already finished is only logged; the other
 * tasks run on and the worker stops warm as usual.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '@q/core';
import type { App } from '@q/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startQ, stopAllQ } from './q-process.js';
import type { QProcess } from './q-process.js';

let dir: string;
let worker: QProcess;
let client: App;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'q-cli-stray-'));
  worker = startQ(['-A', 'test/fixtures/ops-app.ts', '--embedded-dir', dir, '-l', 'info', 'worker', '-c', '10']);
  await worker.waitFor(/ready\./, 30_000);
  client = createApp({ embeddedDir: dir });
});

afterAll(async () => {
  await client?.close();
  stopAllQ();
  rmSync(dir, { recursive: true, force: true });
});

describe('q worker: stray errors', () => {
  it('fails the task whose timer threw and the one whose forgotten promise rejected; the others run on', async () => {
    const slow = await client.sendTask('ops.sleep', [1500]);
    const timer = await client.sendTask('ops.timerThrow');
    const forgotten = await client.sendTask('ops.forgotten');
    await expect(timer.get({ timeout: 10 })).rejects.toThrow(/boom from a timer/);
    await expect(forgotten.get({ timeout: 10 })).rejects.toThrow(/a forgotten promise/);
    expect(await slow.get({ timeout: 10 })).toBe(1500);
    expect(worker.output()).toMatch(/uncaught exception in task ops\.timerThrow\[.+\]: the task fails with it/);
    expect(worker.output()).toMatch(/unhandled promise rejection in task ops\.forgotten\[.+\]: the task fails with it/);
  });

  it('logs a stray error of a task that already finished and keeps running', async () => {
    const done = await client.sendTask('ops.throwAfter');
    expect(await done.get({ timeout: 10 })).toBe('done');
    await worker.waitFor(/uncaught exception from task \[.+\], which had already finished; the worker goes on/);
    const next = await client.sendTask('ops.sleep', [1]);
    expect(await next.get({ timeout: 10 })).toBe(1);
    expect(worker.child.exitCode).toBeNull();
  });

  it('still stops warm on SIGTERM', async () => {
    worker.signal('SIGTERM');
    expect(await worker.exited()).toBe(0);
  });
});
