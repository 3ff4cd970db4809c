/**
 * A real `q worker` under remote control: `shutdown` from a client stops it warm and the process exits 0 (as SIGTERM
 * does); `--without-mingle` (and Celery's `--without-gossip --without-heartbeat`) are accepted.
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
  dir = mkdtempSync(path.join(os.tmpdir(), 'q-cli-control-'));
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  stopAllQ();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('q worker: remote control', () => {
  it('answers ping, and a remote shutdown stops it warm with exit 0', async () => {
    const embedded = path.join(dir, 'run-1');
    const client = createApp({ embeddedDir: embedded });
    clients.push(client);
    const worker = startQ(['-A', 'test/fixtures/ops-app.ts', '--embedded-dir', embedded, '-l', 'info', 'worker', '-n', 'rc1@test', '--without-mingle', '--without-gossip', '--without-heartbeat']);
    await worker.waitFor(/ready\./, 30_000);
    expect(await client.control.ping({ destination: ['rc1@test'], timeout: 3 })).toEqual([{ 'rc1@test': { ok: 'pong' } }]);
    await client.control.shutdown({ destination: ['rc1@test'] });
    expect(await worker.exited()).toBe(0);
    expect(worker.output()).toMatch(/Got shutdown from remote/);
    expect(worker.output()).not.toMatch(/mingle: searching/);
  });
});
