/**
 * Starting a pool's child: a thread (`worker_threads`) or a process (`child_process`), both running
 * `child/child-main` after importing the preload modules (a TypeScript loader when the app or q runs from
 * source). A {@link ChildHandle} is what the pool sees of either.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Worker as Thread } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { processConditions } from '@q/core/internal';
import type { ChildBoot, ChildMessage, ParentMessage } from '../child/protocol.js';
import { CHILD_BOOT_ENV } from '../child/protocol.js';

/** A running child, thread or process. */
export interface ChildHandle {
  /** The process id (a thread's is its parent's). */
  readonly pid: number;
  send(message: ParentMessage): void;
  onMessage(handler: (message: ChildMessage) => void): void;
  /** Called once, when the child is gone; `why` tells how (`signal 9 (SIGKILL)`, `exitcode 3`). */
  onExit(handler: (why: string) => void): void;
  /**
   * End it: a process gets `signal` (default `SIGKILL`; another one is followed by `SIGKILL` after
   * {@link KILL_GRACE_MS} if the process is still there), a thread `worker.terminate()`.
   */
  kill(signal?: NodeJS.Signals): void;
}

/** How long a child process sent a signal other than `SIGKILL` (a revoke's `SIGTERM`) has before `SIGKILL`. */
export const KILL_GRACE_MS = 5_000;

/** Starts one child. */
export type SpawnChild = (boot: ChildBoot) => ChildHandle;

/** The child entry: the source file when q runs from source, else the built one next to this bundle. */
export function childEntry(): string {
  const candidates = ['../child/child-main.ts', './child-main.js', '../child-main.js', './child/child-main.js'];
  for (const candidate of candidates) {
    const url = new URL(candidate, import.meta.url);
    if (existsSync(fileURLToPath(url))) return url.href;
  }
  throw new Error('@q/worker: cannot find child-main (the pool child entry)');
}

const BOOT = `
const { workerData } = require('node:worker_threads');
const data = workerData ?? JSON.parse(process.env.Q_POOL_CHILD_START);
(async () => {
  for (const p of data.preload) { const m = await import(p); if (typeof m.register === 'function') m.register(); }
  await import(data.entry);
})().catch((err) => { console.error(err); process.exit(70); });
`;

/**
 * Node flags a child keeps from the parent: export conditions (`--conditions=@q/source`); a child of q running from
 * source (its entry a `.ts` file) resolves q's packages to their sources too.
 */
function inheritedFlags(entry: string): string[] {
  // Only the process's own arguments: `NODE_OPTIONS` reaches the child through its environment.
  const flags = processConditions(process.execArgv, '').map((c) => `--conditions=${c}`);
  if (entry.endsWith('.ts') && !flags.includes('--conditions=@q/source')) flags.push('--conditions=@q/source');
  return flags;
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal !== null) return `signal ${signalNumber(signal)} (${signal})`;
  return `exitcode ${code ?? 0}`;
}

function signalNumber(signal: NodeJS.Signals): number | string {
  const numbers: Record<string, number> = { SIGKILL: 9, SIGTERM: 15, SIGINT: 2, SIGSEGV: 11, SIGABRT: 6, SIGQUIT: 3, SIGHUP: 1 };
  return numbers[signal] ?? signal;
}

/** Start a child process (`child_process`, IPC with the structured-clone serialization). */
export function spawnProcess(preload: readonly string[]): SpawnChild {
  const entry = childEntry();
  return (boot) => {
    const child = spawn(process.execPath, [...inheritedFlags(entry), '-e', BOOT], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
      env: { ...process.env, Q_POOL_CHILD_START: JSON.stringify({ preload, entry }), [CHILD_BOOT_ENV]: JSON.stringify(boot) },
    });
    let exited = false;
    return {
      pid: child.pid ?? -1,
      send: (message) => {
        if (child.connected) child.send(message);
      },
      onMessage: (handler) => child.on('message', (m) => handler(m as ChildMessage)),
      onExit: (handler) =>
        child.once('exit', (code, signal) => {
          exited = true;
          handler(describeExit(code, signal));
        }),
      kill: (signal = 'SIGKILL') => {
        if (exited) return;
        child.kill(signal);
        if (signal === 'SIGKILL') return;
        // A child that handles or ignores the signal is not left running a task the pool gave up on.
        const timer = setTimeout(() => {
          if (!exited) child.kill('SIGKILL');
        }, KILL_GRACE_MS);
        timer.unref();
        child.once('exit', () => clearTimeout(timer));
      },
    };
  };
}

/** Start a child thread (`worker_threads`). */
export function spawnThread(preload: readonly string[]): SpawnChild {
  const entry = childEntry();
  return (boot) => {
    const thread = new Thread(BOOT, { eval: true, workerData: { preload, entry, boot }, execArgv: inheritedFlags(entry) });
    let error: unknown;
    thread.on('error', (err) => {
      error = err;
    });
    return {
      pid: process.pid,
      send: (message) => thread.postMessage(message),
      onMessage: (handler) => thread.on('message', handler),
      onExit: (handler) =>
        thread.once('exit', (code) => handler(error instanceof Error ? `exitcode ${code} (${error.message})` : `exitcode ${code}`)),
      kill: () => void thread.terminate(),
    };
  };
}
