/** `call`, `result` and `purge` run in-process against the embedded broker in a temporary directory. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { createApp } from '@q/core';
import type { App } from '@q/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearCliOverrides } from '@q/core/internal';
import { runCli } from '../src/run-cli.js';
import { memoryIo } from './helpers.js';

let dir: string;
let client: App;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'q-cli-cmd-'));
  client = createApp({ name: 'client', embeddedDir: dir });
});
afterAll(async () => {
  clearCliOverrides();
  await client.close();
  rmSync(dir, { recursive: true, force: true });
});

async function q(args: string[], io = memoryIo()) {
  const code = await runCli(['node', 'q', '--embedded-dir', dir, ...args], io);
  const lines = io.out().trimEnd().split('\n');
  return { code, io, last: lines[lines.length - 1] };
}

async function store(taskId: string, status: string, result: unknown, traceback: string | null = null) {
  const backend = await client.getBackend();
  await backend?.storeResult(
    { taskId, status, result, traceback, children: [], dateDone: '2030-01-01T00:00:00.000000' },
    { expiresMs: null },
  );
}

describe('q result', () => {
  it('prints a stored result as JSON', async () => {
    await store('ok-1', 'SUCCESS', { total: 4, items: [1, 'a'] });
    const run = await q(['result', 'ok-1']);
    expect(run.code).toBe(0);
    expect(run.last).toBe('{"total":4,"items":[1,"a"]}');
  });

  it('prints type and message of a failure, the traceback to stderr, and exits 1', async () => {
    const traceback = 'Traceback (most recent call last):\n  File "tasks.py", line 3, in fail\nValueError: bad input\n';
    await store('fail-1', 'FAILURE', { exc_type: 'ValueError', exc_message: ['bad input'], exc_module: 'builtins' }, traceback);
    const run = await q(['result', 'fail-1']);
    expect(run.code).toBe(1);
    expect(run.last).toBe('ValueError: bad input');
    expect(run.io.err()).toBe(traceback);
  });

  it('exits 1 with a clear message on timeout', async () => {
    const run = await q(['result', 'never-stored', '--timeout', '0.2']);
    expect(run.code).toBe(1);
    expect(run.io.err()).toMatch(/^error: .*never-stored.* \(Q_ERR_TIMEOUT\)\n$/);
  });
});

describe('q call and q purge', () => {
  it('sends by name (no -A module needed), then purges what waits', async () => {
    const first = await q(['call', 'unknown.anywhere', '--args', '[1, 2]', '--kwargs', '{"z": 3}']);
    expect(first.code, first.io.err()).toBe(0);
    expect(first.last).toMatch(/^[0-9a-f-]{36}$/);
    await q(['call', 'tasks.add', '--queue', 'other']);
    const purge = await q(['purge', '-f', '-Q', 'celery,other']);
    expect(purge.code, purge.io.err()).toBe(0);
    expect(purge.last).toBe('Purged 2 messages from 2 queues: celery (1), other (1).');
  });

  it('asks for confirmation on a terminal and purges nothing on "n"', async () => {
    await q(['call', 'tasks.add']);
    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    stdin.end('n\n');
    const declined = await q(['purge'], memoryIo({ stdin }));
    expect(declined.code).toBe(1);
    expect(declined.io.err()).toMatch(/Continue\? \[y\/N\]/);
    expect(declined.last).toBe('purge: aborted, nothing purged');

    const yes = Object.assign(new PassThrough(), { isTTY: true });
    yes.end('y\n');
    const confirmed = await q(['purge'], memoryIo({ stdin: yes }));
    expect(confirmed.code).toBe(0);
    expect(confirmed.last).toBe('Purged 1 message from 1 queue: celery (1).');
  });
});
