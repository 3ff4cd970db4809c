/**
 * Processes the interop tests start: each leads its own process group (so its children die with it), its
 * output is kept for assertions and failure messages, and {@link stopAll} ends every one still running.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

/** A started process. */
export interface ManagedProcess {
  readonly child: ChildProcess;
  /** stdout and stderr so far, interleaved. */
  output(): string;
  /** Resolves once the output matches `pattern`; rejects on timeout or exit. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<void>;
  /** Resolves with the exit code or signal name. */
  exited(): Promise<number | string>;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves once it exited. */
  stop(graceMs?: number): Promise<number | string>;
}

const running = new Set<ManagedProcess>();

// last resort when the test process ends without afterAll (a crash or a kill): no orphaned worker groups
process.once('exit', () => {
  for (const p of running) signalGroup(p.child, 'SIGKILL');
});

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is gone already
  }
}

/** Starts `command args` in a new process group, in `cwd`, with `env` added to this process's. */
export function startProcess(command: string, args: readonly string[], options: { cwd: string; env?: Record<string, string> }): ManagedProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  const waiters = new Set<() => void>();
  const notify = () => waiters.forEach((w) => w());
  child.stdout?.on('data', (chunk: Buffer) => ((out += chunk.toString()), notify()));
  child.stderr?.on('data', (chunk: Buffer) => ((out += chunk.toString()), notify()));
  const exit = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => {
      running.delete(proc);
      notify();
      resolve(code ?? signal ?? 'unknown');
    }),
  );
  const proc: ManagedProcess = {
    child,
    output: () => out,
    exited: () => exit,
    waitFor(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => done(new Error(`timed out after ${timeoutMs} ms waiting for ${pattern}\n${out}`)), timeoutMs);
        const check = () => {
          if (pattern.test(out)) done();
          else if (child.exitCode !== null || child.signalCode !== null) done(new Error(`${command} exited before ${pattern}\n${out}`));
        };
        const done = (error?: Error) => {
          clearTimeout(timer);
          waiters.delete(check);
          if (error) reject(error);
          else resolve();
        };
        waiters.add(check);
        check();
      });
    },
    async stop(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return exit;
      signalGroup(child, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
      const code = await exit;
      clearTimeout(timer);
      signalGroup(child, 'SIGKILL'); // anything the leader left behind in its group
      return code;
    },
  };
  running.add(proc);
  return proc;
}

/** Stops every process started here that is still running. */
export async function stopAll(graceMs = 5000): Promise<void> {
  await Promise.all([...running].map((p) => p.stop(graceMs)));
}
