/** Runs the real `q` command from source (`node --conditions=@q/source --import tsx packages/cli/src/bin.ts`). */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root: every `q` process runs there. */
export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** Node's arguments to run a TypeScript file of the repository from source (`@q/*` resolved to `src/`). */
export const TSX_ARGS = ['--conditions=@q/source', '--import', 'tsx'] as const;

const NODE_ARGS = [...TSX_ARGS, 'packages/cli/src/bin.ts'];
const spawned = new Set<ChildProcess>();

/** A running `q` process. */
export interface QProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout or stderr matches `pattern`; rejects on timeout or early exit. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<void>;
  /** Resolves with the exit code (or the signal name). */
  exited(): Promise<number | string>;
}

/** Starts `q ...args` and keeps it running. */
export function startQ(args: readonly string[], env: Record<string, string> = {}): QProcess {
  const child = spawn(process.execPath, [...NODE_ARGS, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  spawned.add(child);
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  const notify = () => waiters.forEach((w) => w());
  child.stdout?.on('data', (chunk: Buffer) => ((out += chunk.toString()), notify()));
  child.stderr?.on('data', (chunk: Buffer) => ((err += chunk.toString()), notify()));
  const exit = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => {
      spawned.delete(child);
      notify();
      resolve(code ?? signal ?? 'unknown');
    }),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited: () => exit,
    waitFor(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => done(new Error(`timed out waiting for ${pattern}\n${out}\n${err}`)), timeoutMs);
        const check = () => {
          if (pattern.test(out) || pattern.test(err)) done();
          else if (child.exitCode !== null || child.signalCode !== null) done(new Error(`q exited before ${pattern}\n${out}\n${err}`));
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

/** Runs `q ...args` to completion. */
export async function runQ(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ code: number | string; stdout: string; stderr: string; lastLine: string }> {
  const q = startQ(args, env);
  const code = await q.exited();
  const lines = q.stdout().trimEnd().split('\n');
  return { code, stdout: q.stdout(), stderr: q.stderr(), lastLine: lines[lines.length - 1] ?? '' };
}

/** Kills every `q` process still running. */
export function killAllQ(): void {
  for (const child of spawned) child.kill('SIGKILL');
  spawned.clear();
}
