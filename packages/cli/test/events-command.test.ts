/**
 * `q events` as a process, on the embedded broker (its shared bindings give the event exchange): `--dump` prints a
 * worker's heartbeats and a task's received/started/succeeded lines, `--camera` hands snapshots to a camera module,
 * and the monitor (in tmux) shows the worker and the task, opens the task's page and quits on `q`. Each stops with
 * exit 0.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runsHere } from '@q/test-services';
import { CLI_ROOT, startQ, stopAllQ } from './q-process.js';
import type { QProcess } from './q-process.js';

const APP = 'test/fixtures/events-app.ts';
let dir: string;
let run = 0;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'q-cli-events-'));
});
afterEach(() => stopAllQ());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A fresh embedded folder and the global options that use it. */
function embedded(): string[] {
  run += 1;
  return ['-A', APP, '--embedded-dir', path.join(dir, `run-${run}`)];
}

async function startWorker(globals: string[], name: string): Promise<QProcess> {
  const worker = startQ([...globals, 'worker', '-E', '-n', name, '--without-mingle']);
  await worker.waitFor(/ready\./, 30_000);
  return worker;
}

/** Runs `q call` and returns the task id it prints. */
async function call(globals: string[], task: string, args: string): Promise<string> {
  const client = startQ([...globals, 'call', task, '--args', args]);
  expect(await client.exited()).toBe(0);
  const id = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/.exec(client.output())?.[0];
  if (id === undefined) throw new Error(`q call printed no id:\n${client.output()}`);
  return id;
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('q events --dump', () => {
  it("prints a worker's online and heartbeat events and a task's received, started and succeeded lines; SIGINT exits 0", async () => {
    const globals = embedded();
    const events = startQ([...globals, 'events', '--dump']);
    await events.waitFor(/^-> evdump: starting capture\.\.\.$/m, 30_000);
    const worker = await startWorker(globals, 'dump1@test');
    await events.waitFor(/^dump1@test \[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?\] started: active=0, .*sw_ident=q/m);
    await events.waitFor(/^dump1@test \[[^\]]+\] heartbeat: active=\d+, clock=\d+, freq=2, loadavg=\[/m);

    const id = await call(globals, 'evapp.add', '[2, 3]');
    const task = `evapp\\.add\\(${id}\\) args=\\(2, 3\\) kwargs=\\{\\}`;
    await events.waitFor(new RegExp(`^dump1@test \\[[^\\]]+\\] task received: ${task} clock=\\d+`, 'm'));
    await events.waitFor(new RegExp(`^dump1@test \\[[^\\]]+\\] task started: ${task} clock=\\d+`, 'm'));
    await events.waitFor(new RegExp(`^dump1@test \\[[^\\]]+\\] task succeeded: ${task} clock=\\d+, .*result=5, runtime=[\\d.e-]+`, 'm'));

    worker.signal('SIGINT');
    expect(await worker.exited()).toBe(0);
    await events.waitFor(/^dump1@test \[[^\]]+\] shutdown: /m);
    events.signal('SIGINT');
    expect(await events.exited()).toBe(0);
  }, 90_000);

  it('exits 0 on SIGTERM', async () => {
    const events = startQ([...embedded(), 'events', '--dump']);
    await events.waitFor(/starting capture/, 30_000);
    events.signal('SIGTERM');
    expect(await events.exited()).toBe(0);
  }, 60_000);
});

describe('q events --camera', () => {
  it('hands the cluster snapshot to the camera every --frequency seconds, and once more before exiting 0', async () => {
    const globals = embedded();
    const out = path.join(dir, `camera-${run}.jsonl`);
    const events = startQ([...globals, 'events', '--camera', 'test/fixtures/file-camera.ts', '--frequency', '0.2'], { CAMERA_OUT: out });
    await events.waitFor(/camera test\/fixtures\/file-camera\.ts every 0\.2 s/, 30_000);
    const worker = await startWorker(globals, 'cam1@test');
    const id = await call(globals, 'evapp.add', '[20, 22]');

    interface Snapshot {
      workers: { hostname: string; status: string }[];
      tasks: { uuid: string; name?: string; state: string; result?: string }[];
    }
    const snapshots = () =>
      existsSync(out)
        ? readFileSync(out, 'utf8').split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Snapshot)
        : [];
    const seen = await until('a snapshot with the task succeeded', () =>
      snapshots().find((s) => s.tasks.some((t) => t.uuid === id && t.state === 'SUCCESS')),
    );
    expect(seen.tasks.find((t) => t.uuid === id)).toMatchObject({ name: 'evapp.add', state: 'SUCCESS', result: '42' });
    expect(seen.workers).toContainEqual(expect.objectContaining({ hostname: 'cam1@test', status: 'ONLINE' }));
    expect(snapshots().length).toBeGreaterThan(1);

    events.signal('SIGTERM');
    expect(await events.exited()).toBe(0);
    expect(readFileSync(out, 'utf8').trimEnd().split('\n').at(-1)).toBe('closed');
    worker.signal('SIGTERM');
    expect(await worker.exited()).toBe(0);
  }, 90_000);

  it('fails with a usage error when the module exports no camera', async () => {
    const events = startQ([...embedded(), 'events', '--camera', `${APP}:nothing`]);
    expect(await events.exited()).toBe(2);
    expect(events.output()).toMatch(/--camera: .*exports no camera as "nothing"/);
  }, 30_000);
});

/** Why the monitor cannot be run in tmux here, or null. */
function missingTmux(): string | null {
  return spawnSync('tmux', ['-V']).status === 0 ? null : 'tmux is not installed (apt-get install -y tmux)';
}

describe.runIf(runsHere('q events monitor (tmux)', [missingTmux()], 'process'))('q events: the monitor in a terminal', () => {
  const socket = `q-events-test-${process.pid}`;
  const tmux = (...args: string[]) => {
    const result = spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`tmux ${args.join(' ')} failed: ${result.stderr}`);
    return result.stdout;
  };
  afterEach(() => void spawnSync('tmux', ['-L', socket, 'kill-server']));

  it('shows the worker ONLINE and the task SUCCESS, opens its page on Enter, and quits with exit 0 on q', async () => {
    const globals = embedded();
    const worker = await startWorker(globals, 'tui1@test');
    const rcFile = path.join(dir, `tui-rc-${run}`);
    const q = ['node', '--conditions=@q/source', '--import', 'tsx', 'src/bin.ts', ...globals, 'events'].map(shellQuote).join(' ');
    tmux('new-session', '-d', '-s', 'ev', '-x', '120', '-y', '40', '-c', CLI_ROOT, `${q}; echo $? > ${shellQuote(rcFile)}; sleep 60`);
    const screen = () => tmux('capture-pane', '-p', '-t', 'ev');
    const waitScreen = (pattern: RegExp) => until(`${pattern} on screen`, () => (pattern.test(screen()) ? screen() : undefined), 30_000).catch((err: unknown) => {
      throw new Error(`${String(err)}\n${screen()}`);
    });

    await waitScreen(/tui1@test\s+ONLINE/);
    const id = await call(globals, 'evapp.add', '[2, 3]');
    let text = await waitScreen(new RegExp(`${id.slice(0, 8)}\\s+evapp\\.add\\s+SUCCESS\\s+tui1@test`));
    expect(text).toMatch(/Events: [\d.]+\/s/);

    tmux('send-keys', '-t', 'ev', 'j');
    await waitScreen(new RegExp(`> ${id.slice(0, 8)}`));
    tmux('send-keys', '-t', 'ev', 'Enter');
    text = await waitScreen(new RegExp(`Task ${id}`));
    expect(text).toMatch(/args\s+\(2, 3\)/);
    expect(text).toMatch(/result\s+5/);
    expect(text).toMatch(/task-succeeded\s+tui1@test/);
    tmux('send-keys', '-t', 'ev', 'Escape');
    await waitScreen(/Workers \(1\)/);

    tmux('send-keys', '-t', 'ev', 'q');
    const rc = await until('the monitor to exit', () => (existsSync(rcFile) ? readFileSync(rcFile, 'utf8').trim() : undefined));
    expect(rc).toBe('0');
    worker.signal('SIGTERM');
    expect(await worker.exited()).toBe(0);
  }, 120_000);
});

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`;
}
