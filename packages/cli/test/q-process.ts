/**
 * Runs the real `q` command from source in a process of its own (`node --conditions=@q/source --import tsx
 * src/bin.ts`), for tests that send it signals. Each process leads its own group; {@link stopAllQ} kills what is left.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The CLI package: `q` processes run there. */
export const CLI_ROOT = fileURLToPath(new URL('..', import.meta.url));
const NODE_ARGS = ['--conditions=@q/source', '--import', 'tsx', 'src/bin.ts'];
const spawned = new Set<ChildProcess>();

/** A running `q`. */
export interface QProcess {
  readonly child: ChildProcess;
  /** stdout and stderr so far, interleaved. */
  output(): string;
  /** Resolves once the output since `from` (a length of `output()`) matches `pattern`; rejects on timeout or exit. */
  waitFor(pattern: RegExp, timeoutMs?: number, from?: number): Promise<void>;
  exited(): Promise<number | string>;
  /** Sends `signal` to the process. */
  signal(signal: NodeJS.Signals): void;
}

/** Starts `q ...args` in `CLI_ROOT` with `env` added. */
export function startQ(args: readonly string[], env: Record<string, string> = {}): QProcess {
  const child = spawn(process.execPath, [...NODE_ARGS, ...args], {
    cwd: CLI_ROOT,
    env: { ...process.env, FORCE_COLOR: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  spawned.add(child);
  let out = '';
  const waiters = new Set<() => void>();
  const notify = () => waiters.forEach((w) => w());
  child.stdout?.on('data', (chunk: Buffer) => ((out += chunk.toString()), notify()));
  child.stderr?.on('data', (chunk: Buffer) => ((out += chunk.toString()), notify()));
  const exit = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => {
      notify();
      resolve(code ?? signal ?? 'unknown');
    }),
  );
  return {
    child,
    output: () => out,
    exited: () => exit,
    signal: (signal) => void child.kill(signal),
    waitFor(pattern, timeoutMs = 15_000, from = 0) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => done(new Error(`timed out after ${timeoutMs} ms waiting for ${pattern}\n${out}`)), timeoutMs);
        const check = () => {
          if (pattern.test(out.slice(from))) done();
          else if (child.exitCode !== null || child.signalCode !== null) done(new Error(`q exited before ${pattern}\n${out}`));
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
  };
}

/** SIGKILLs the process group of every `q` started here (a restarted worker is in its parent's group). */
export function stopAllQ(): void {
  for (const child of spawned) {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  spawned.clear();
}
