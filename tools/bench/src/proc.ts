/**
 * Child processes of the benchmark. Each runs in its own process group (`detached`), is tracked until it
 * exits, and is killed with its whole group by `stop()` or, on any exit of the harness (error, Ctrl-C,
 * SIGTERM), by `killAll()`.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

const live = new Set<Child>();
const TAIL_CHARS = 8_000;

/** A spawned process group. */
export class Child {
  readonly name: string;
  readonly proc: ChildProcess;
  readonly pid: number;
  /** Last output (stdout and stderr interleaved), for error messages. */
  tail = '';
  #exited: Promise<number | null>;
  #exitCode: number | null | undefined;
  #lineWaiters: { re: RegExp; resolve: (line: string) => void }[] = [];
  #partial = '';

  constructor(name: string, proc: ChildProcess) {
    if (proc.pid === undefined) throw new Error(`${name}: spawn failed`);
    this.name = name;
    this.proc = proc;
    this.pid = proc.pid;
    this.#exited = new Promise((resolve) => {
      proc.on('exit', (code, signal) => {
        this.#exitCode = code ?? (signal ? -1 : null);
        live.delete(this);
        resolve(this.#exitCode);
      });
    });
    const onData = (chunk: Buffer): void => this.#onOutput(chunk.toString('utf8'));
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    live.add(this);
  }

  get exited(): boolean {
    return this.#exitCode !== undefined;
  }

  /** Resolves with the exit code (or -1 when killed by a signal). */
  wait(): Promise<number | null> {
    return this.#exited;
  }

  #onOutput(text: string): void {
    this.tail = (this.tail + text).slice(-TAIL_CHARS);
    const lines = (this.#partial + text).split('\n');
    this.#partial = lines.pop() ?? '';
    for (const line of lines) {
      for (const waiter of [...this.#lineWaiters]) {
        if (waiter.re.test(line)) {
          this.#lineWaiters.splice(this.#lineWaiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    }
  }

  /** Waits for an output line matching `re`; rejects on exit or after `timeoutMs`. */
  waitForLine(re: RegExp, timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${this.name}: no line matching ${re} within ${timeoutMs} ms; output:\n${this.tail}`));
      }, timeoutMs);
      const waiter = {
        re,
        resolve: (line: string) => {
          done();
          resolve(line);
        },
      };
      const done = (): void => {
        clearTimeout(timer);
        const at = this.#lineWaiters.indexOf(waiter);
        if (at >= 0) this.#lineWaiters.splice(at, 1);
      };
      this.#lineWaiters.push(waiter);
      void this.#exited.then((code) => {
        if (this.#lineWaiters.includes(waiter)) {
          done();
          reject(new Error(`${this.name}: exited (${code}) before a line matching ${re}; output:\n${this.tail}`));
        }
      });
    });
  }

  /** Signals the whole process group (ignores a group that is gone). */
  signal(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.pid, signal);
    } catch {
      // already gone
    }
  }

  /** SIGTERM the group, then SIGKILL it after `graceMs`; resolves once the leader exited. */
  async stop(graceMs: number): Promise<void> {
    if (this.exited) {
      this.signal('SIGKILL'); // leftover children of a dead leader
      return;
    }
    this.signal('SIGTERM');
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), graceMs)));
    const first = await Promise.race([this.#exited.then(() => 'exited' as const), timedOut]);
    clearTimeout(timer);
    this.signal('SIGKILL');
    if (first === 'timeout') await Promise.race([this.#exited, new Promise((r) => setTimeout(r, 2_000))]);
  }
}

export interface StartOptions {
  cwd?: string;
  env?: Record<string, string>;
}

/** Spawns `command args` in a new process group, output piped. */
export function start(name: string, command: string, args: readonly string[], options: StartOptions = {}): Child {
  const proc = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Child(name, proc);
}

/** Runs a client to completion within `timeoutMs`; returns its stdout's last non-empty line. */
export async function runToEnd(name: string, command: string, args: readonly string[], timeoutMs: number, options: StartOptions = {}): Promise<string> {
  const child = start(name, command, args, options);
  let out = '';
  child.proc.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  const code = await Promise.race([child.wait(), timedOut]);
  clearTimeout(timer);
  if (code === 'timeout') {
    await child.stop(1_000);
    throw new Error(`${name}: still running after ${timeoutMs} ms; output:\n${child.tail}`);
  }
  child.signal('SIGKILL');
  if (code !== 0) throw new Error(`${name}: exit code ${code}; output:\n${child.tail}`);
  const last = out.trim().split('\n').pop();
  if (!last) throw new Error(`${name}: printed nothing`);
  return last;
}

/** Kills every live process group at once (synchronous: safe in exit handlers). */
export function killAll(): void {
  for (const child of live) child.signal('SIGKILL');
}

/** Number of tracked processes still running. */
export function liveCount(): number {
  return live.size;
}

/** Kill all children when the harness exits, errs or is interrupted. */
export function installCleanup(onSignal: () => Promise<void>): void {
  process.on('exit', killAll);
  let signalled = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (signalled) {
      killAll();
      process.exit(130);
    }
    signalled = true;
    console.error(`\n${signal}: stopping workers and cleaning up`);
    killAll();
    onSignal()
      .catch(() => undefined)
      .finally(() => process.exit(130));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  process.on('SIGHUP', handler);
}
