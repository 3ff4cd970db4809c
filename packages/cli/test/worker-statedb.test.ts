/**
 * `q worker --statedb`: revoked task ids and the logical clock survive restarts of a real `q worker` process (loaded at
 * start, saved at stop), `%n` expanded from the node name.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '@q/core';
import type { App } from '@q/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startQ, stopAllQ } from './q-process.js';

let dir: string;
const clients: App[] = [];

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'q-cli-statedb-'));
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  stopAllQ();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface StateDb {
  format: string;
  clock: number;
  revoked: [string, number][];
}
const readDb = (file: string): StateDb => JSON.parse(readFileSync(file, 'utf8')) as StateDb;

describe('q worker --statedb', () => {
  it('a revoked id stays revoked across restarts; the clock moves on', async () => {
    const embedded = path.join(dir, 'embedded');
    const client = createApp({ embeddedDir: embedded });
    clients.push(client);
    const file = path.join(dir, 'w1.state');
    const now = Date.now() / 1000;
    // Revoked before (as a remote-control revoke would have been, then saved by an earlier run).
    writeFileSync(file, JSON.stringify({ format: 'q-worker-state', version: 1, savedAt: '', clock: 7, revoked: [['gone-1', now - 60], ['gone-2', now - 30]] }));
    const args = ['-A', 'test/fixtures/ops-app.ts', '--embedded-dir', embedded, '-l', 'info', 'worker', '-n', 'w1@%h', '--statedb', path.join(dir, '%n.state')];

    const first = startQ(args);
    await first.waitFor(/ready\./, 30_000);
    const revoked = await client.sendTask('ops.sleep', [1], {}, { taskId: 'gone-1' });
    const ok = await client.sendTask('ops.sleep', [2]);
    expect(await ok.get({ timeout: 10 })).toBe(2);
    expect(await waitStatus(client, revoked.id)).toBe('REVOKED');
    first.signal('SIGTERM');
    expect(await first.exited()).toBe(0);
    const afterFirst = readDb(file);
    expect(afterFirst.revoked.map(([id]) => id)).toEqual(['gone-1', 'gone-2']);
    expect(afterFirst.revoked[0]?.[1]).toBeCloseTo(now - 60, 3);
    expect(afterFirst.clock).toBeGreaterThan(7);

    const second = startQ(args);
    await second.waitFor(/ready\./, 30_000);
    // An id the first run loaded and saved again: still revoked after the restart.
    const again = await client.sendTask('ops.sleep', [1], {}, { taskId: 'gone-2' });
    await second.waitFor(/Discarding revoked task: ops\.sleep\[gone-2\]/, 15_000);
    expect(await waitStatus(client, again.id)).toBe('REVOKED');
    second.signal('SIGTERM');
    expect(await second.exited()).toBe(0);
    expect(readDb(file).clock).toBeGreaterThan(afterFirst.clock);
    expect(existsSync(path.join(dir, '%n.state'))).toBe(false);
  });
});

async function waitStatus(client: App, id: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const status = (await client.asyncResult(id).meta()).status;
    if (status !== 'PENDING' || Date.now() > deadline) return status;
    await new Promise((r) => setTimeout(r, 50));
  }
}
