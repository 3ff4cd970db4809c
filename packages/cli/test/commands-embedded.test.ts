/** `call`, `result` and `purge` run in-process against the embedded broker in a temporary directory. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
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

  it('exits 1 on timeout, saying that PENDING is also the state of an unknown id', async () => {
    const run = await q(['result', 'never-stored', '--timeout', '0.2']);
    expect(run.code).toBe(1);
    expect(run.io.err()).toBe(
      `error: no result for task never-stored after 0.2 s: its state is PENDING, which is also the state of an id that ` +
        `file://${path.join(dir, 'results')} has no record of (a mistyped id, a task sent through another broker or result ` +
        'backend, or a result that expired). Check the id, that a worker consumes its queue, and that the worker and this ' +
        'command use the same result backend (Q_ERR_TIMEOUT)\n',
    );
  });

  it('keeps the plain timeout message for a task that has started', async () => {
    await store('started-1', 'STARTED', null);
    const run = await q(['result', 'started-1', '--timeout', '0.2']);
    expect(run.code).toBe(1);
    expect(run.io.err()).toMatch(/^error: .*started-1.* \(Q_ERR_TIMEOUT\)\n$/);
    expect(run.io.err()).not.toContain('PENDING');
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

describe('a one-shot command without -A, -b or the environment', () => {
  let cwd: string;
  beforeAll(() => {
    cwd = mkdtempSync(path.join(os.tmpdir(), 'q-cli-default-'));
  });
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));
  const bare = async (args: string[], env: Record<string, string> = {}) => {
    const io = memoryIo({ cwd, env });
    const code = await runCli(['node', 'q', ...args], io);
    return { code, err: io.err() };
  };

  it('says at the default log level that call uses the embedded broker in ./.q, and how to choose another', async () => {
    const run = await bare(['call', 'tasks.add']);
    expect(run.code, run.err).toBe(0);
    expect(run.err).toContain(
      `no -A, -b or Q_BROKER_URL: call uses the embedded broker in ${path.join(cwd, '.q')} (created if missing); ` +
        'choose another folder with --embedded-dir (or Q_EMBEDDED_DIR), or a broker with -b (or Q_BROKER_URL)',
    );
    expect(run.err.trim().split('\n')).toHaveLength(1);
    expect(existsSync(path.join(cwd, '.q', 'broker'))).toBe(true); // the folder named is the one used
  });

  it('says that result reads from the embedded result backend in ./.q', async () => {
    const run = await bare(['result', 'some-id', '-t', '0.1']);
    expect(run.err).toContain(`no -A, --result-backend or Q_RESULT_BACKEND: result reads results from the embedded result backend in ${path.join(cwd, '.q')}`);
  });

  it('says nothing when the folder or the broker was chosen, or below -l info', async () => {
    expect((await bare(['--embedded-dir', 'elsewhere', 'call', 'tasks.add'])).err).toBe('');
    expect((await bare(['call', 'tasks.add'], { Q_EMBEDDED_DIR: 'elsewhere' })).err).toBe('');
    expect((await bare(['-b', 'memory://', 'call', 'tasks.add'])).err).toBe('');
    expect((await bare(['-l', 'warning', 'call', 'tasks.add'])).err).toBe('');
  });
});
