/**
 * docs/getting-started.md as written, in a fresh clone: what a newcomer copies is what runs.
 *
 * The repository (its last commit: uncommitted changes are not in a clone, which is the point) is cloned into a
 * temporary folder and installed with `npx -y pnpm@10.34.9 install`; then the blocks of the page marked
 * `<!-- getting-started: NAME -->` are read from the clone's copy of the page and used verbatim: `tasks.ts` and
 * `client.ts` are written to the clone's root, `worker` is started, every command of `call` and `client` is run
 * through bash (`<task-id>` replaced by the id `call` printed), and a `# <value>` comment under a command is the
 * last line it must print. The worker is stopped with SIGINT to its process group, as Ctrl-C in its terminal.
 * Every process runs in a group of its own and is killed at the end; the folder is removed.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './support/q-process.js';

const PNPM = 'npx -y pnpm@10.34.9';
const INSTALL_TIMEOUT_MS = 150_000;
const COMMAND_TIMEOUT_MS = 30_000;
const READY_TIMEOUT_MS = 30_000;

let tmp = '';
let clone = '';
let page = '';
const groups = new Set<ChildProcess>();

/** This process's environment without what the test runner and pnpm added (npm_*, NODE_OPTIONS, nx's, vitest's, FORCE_COLOR). */
function newcomerEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|NX_|VITEST|PNPM_SCRIPT_SRC_DIR$|INIT_CWD$|NODE_OPTIONS$|NODE_PATH$|NODE_ENV$|TEST$|FORCE_COLOR$)/i.test(key)) continue;
    env[key] = value;
  }
  // no node_modules/.bin of this checkout on the PATH: the clone's own commands only
  env.PATH = (process.env.PATH ?? '').split(path.delimiter).filter((p) => !/node_modules[\\/]\.bin/.test(p)).join(path.delimiter);
  return { ...env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' };
}

interface Started {
  readonly child: ChildProcess;
  output(): string;
  exited: Promise<number | string>;
}

/** Runs `command` through bash in the clone, in a process group of its own. */
function start(command: string, cwd = clone): Started {
  const child = spawn('bash', ['-c', command], { cwd, env: newcomerEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  groups.add(child);
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.on('close', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return { child, output: () => out, exited };
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is gone
  }
}

/** Runs `command` to completion (killed after `timeoutMs`); `stdout` is stdout alone, for its last line. */
async function run(command: string, timeoutMs = COMMAND_TIMEOUT_MS, cwd = clone): Promise<{ code: number | string; output: string; lastLine: string }> {
  const child = spawn('bash', ['-c', command], { cwd, env: newcomerEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  groups.add(child);
  let stdout = '';
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => ((stdout += chunk.toString()), (output += chunk.toString())));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), timeoutMs);
  const code = await new Promise<number | string>((resolve) => child.on('close', (c, signal) => resolve(c ?? signal ?? 'unknown')));
  clearTimeout(timer);
  signalGroup(child, 'SIGKILL');
  groups.delete(child);
  const lines = stdout.trimEnd().split('\n');
  return { code, output: `$ ${command}\n${output}`, lastLine: (lines[lines.length - 1] ?? '').trim() };
}

/** Resolves once `pattern` is in the output; rejects on timeout or exit. */
async function waitFor(p: Started, pattern: RegExp, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(p.output())) {
    if (p.child.exitCode !== null || p.child.signalCode !== null) throw new Error(`exited before ${pattern}:\n${p.output()}`);
    if (Date.now() > deadline) throw new Error(`no ${pattern} after ${timeoutMs} ms:\n${p.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The fenced block after `<!-- getting-started: name -->` in the page. */
function block(name: string): string {
  const marker = `<!-- getting-started: ${name} -->`;
  const at = page.indexOf(marker);
  if (at < 0) throw new Error(`docs/getting-started.md has no ${marker}`);
  const fence = /^```\w*\n([\s\S]*?)^```$/m.exec(page.slice(at + marker.length));
  if (!fence?.[1] || page.slice(at + marker.length, at + marker.length + fence.index).trim() !== '') {
    throw new Error(`${marker} is not followed by a fenced block`);
  }
  return fence[1];
}

/** The commands of a shell block, each with the value its `# <value>` comment line says it prints, if any. */
function commands(name: string): { command: string; prints: string | null }[] {
  const steps: { command: string; prints: string | null }[] = [];
  for (const line of block(name).split('\n').map((l) => l.trim()).filter(Boolean)) {
    const comment = /^#\s*(.*)$/.exec(line);
    const last = steps[steps.length - 1];
    if (!comment) steps.push({ command: line, prints: null });
    else if (last && last.prints === null && /^\S+$/.test(comment[1] ?? '')) last.prints = comment[1] ?? null;
  }
  return steps;
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'q-getting-started-'));
  clone = path.join(tmp, 'q');
  const cloned = await run(`git clone --quiet --shared ${JSON.stringify(ROOT)} q`, COMMAND_TIMEOUT_MS, tmp);
  expect(cloned.code, cloned.output).toBe(0);
  // The page's install, bounded: the lockfile as committed, packages from the store when it has them.
  const install = await run(`${PNPM} install --frozen-lockfile --prefer-offline`, INSTALL_TIMEOUT_MS);
  expect(install.code, install.output).toBe(0);
  expect(install.output, 'a first install prints no build-script warning').not.toMatch(/Ignored build scripts/);
  page = readFileSync(path.join(clone, 'docs/getting-started.md'), 'utf8');
}, INSTALL_TIMEOUT_MS + COMMAND_TIMEOUT_MS + 10_000);

afterAll(() => {
  for (const child of groups) signalGroup(child, 'SIGKILL');
  groups.clear();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('docs/getting-started.md, run as written in a fresh clone', () => {
  let worker: Started;

  it('step 3: the worker starts on tasks.ts in the clone root', async () => {
    writeFileSync(path.join(clone, 'tasks.ts'), block('tasks.ts'));
    const [step, ...more] = commands('worker');
    expect(step && more.length === 0, 'one command in the worker block').toBe(true);
    worker = start(step?.command ?? '');
    await waitFor(worker, /\bready\./, READY_TIMEOUT_MS);
    expect(worker.output()).toMatch(/\. tasks\.add/);
  }, READY_TIMEOUT_MS + 5_000);

  it('step 4: call prints a task id and result prints 4', async () => {
    const steps = commands('call');
    expect(steps.map((s) => s.command)).toEqual([
      expect.stringMatching(/ q -A tasks\.ts call tasks\.add /),
      expect.stringMatching(/ q -A tasks\.ts result <task-id>$/),
    ]);
    let taskId = '';
    for (const { command, prints } of steps) {
      const result = await run(command.replace('<task-id>', taskId));
      expect(result.code, result.output).toBe(0);
      if (command.includes(' call ')) {
        expect(result.lastLine, result.output).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        taskId = result.lastLine;
      }
      if (prints !== null) expect(result.lastLine, result.output).toBe(prints);
    }
    expect(steps[steps.length - 1]?.prints).toBe('4');
  }, 2 * COMMAND_TIMEOUT_MS);

  it('step 4: client.ts, run with the command of the page, prints 4', async () => {
    writeFileSync(path.join(clone, 'client.ts'), block('client.ts'));
    const steps = commands('client');
    expect(steps).toHaveLength(1);
    expect(steps[0]?.prints).toBe('4');
    const result = await run(steps[0]?.command ?? '');
    expect(result.code, result.output).toBe(0);
    expect(result.lastLine, result.output).toBe('4');
  }, COMMAND_TIMEOUT_MS);

  it('step 3: Ctrl-C stops the worker warm', async () => {
    signalGroup(worker.child, 'SIGINT');
    const stopped = await Promise.race([worker.exited.then(() => true), new Promise<false>((resolve) => setTimeout(() => resolve(false), 15_000))]);
    expect(stopped, worker.output()).toBe(true);
    expect(worker.output()).toMatch(/warm shutdown/);
    expect(worker.output()).toMatch(/stopped/);
  }, 20_000);
});
