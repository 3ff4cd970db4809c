/**
 * The embedded broker across processes: a worker process killed with SIGKILL while holding a message loses nothing
 * (the message comes back after the visibility timeout), and processes competing for messages each get distinct ones.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { kombuEnvelope, readEnvelope } from '../src/index.js';
import { filesystemQueueDriver } from '@q/core';

const root = mkdtempSync(join(tmpdir(), 'q-xproc-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const fixture = fileURLToPath(new URL('./fixtures/reserve-and-hang.ts', import.meta.url));
const tsx = createRequire(fileURLToPath(new URL('../../../package.json', import.meta.url))).resolve('tsx');

/** Start the child and resolve with it and the body it reserved. */
function reserveInChild(dir: string, queue: string, visibilityMs: number) {
  const child = spawn(process.execPath, ['--conditions=@q/source', '--import', tsx, fixture, dir, queue, String(visibilityMs)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const reserved = new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /reserved (.*)\n/.exec(out);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('exit', (code, signal) => reject(new Error(`child exited (${code ?? signal}) before reserving: ${err}`)));
  });
  return { child, reserved };
}

describe('filesystem queue driver across processes', () => {
  it('a message held by a process killed with SIGKILL comes back after the visibility timeout', async () => {
    const dir = join(root, 'sigkill');
    const visibilityTimeoutMs = 500;
    const parent = filesystemQueueDriver({ dir, visibilityTimeoutMs, pollIntervalMs: 10 });
    await parent.connect();
    await parent.put('celery', kombuEnvelope({ body: 'survivor', tag: 't1', routingKey: 'celery' }), { priority: 0, tag: 't1' });

    const { child, reserved } = reserveInChild(dir, 'celery', visibilityTimeoutMs);
    expect(await reserved).toBe('survivor');
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGKILL');
    await exited;

    // Held by the dead process: invisible until the timeout passes.
    expect(await parent.reserve(['celery'], { max: 1, waitMs: 0 })).toEqual([]);
    const [lease] = await parent.reserve(['celery'], { max: 1, waitMs: 5000 });
    expect(lease && readEnvelope(lease.payload)).toEqual({ body: 'survivor', redelivered: true });
    if (lease) await parent.ack(lease);
    expect(await parent.size?.('celery')).toBe(0);
    await parent.close();
  }, 30_000);
});
