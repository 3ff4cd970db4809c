/**
 * The processes the SQS part of a run needs besides the peers, each its own process so its CPU is charged to
 * neither peer:
 * - the SQS emulator of `@q/test-services` (fauxqs + its Query/XML gateway for boto3 and kombu's pycurl client),
 *   spawned from its script with stdin piped: it exits when the harness's end of the pipe closes, so it never
 *   outlives the harness, even one killed with SIGKILL;
 * - a private in-memory redis-server (no persistence) on a free port: the result backend of both peers' drains with
 *   results and round trips (the shared Redis is not touched).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { BENCH_ROOT } from '../build.js';

/** The emulator's entry script (`SQS_EMULATOR_SCRIPT` of `@q/test-services`, not a dependency of the bench). */
export const SQS_EMULATOR_SCRIPT = path.resolve(BENCH_ROOT, '..', 'test-services', 'src', 'sqs', 'emulator-main.mjs');
const FAUXQS_PACKAGE = path.resolve(BENCH_ROOT, '..', 'test-services', 'node_modules', 'fauxqs', 'package.json');
const START_MS = 15_000;
const STOP_GRACE_MS = 3_000;

/** A service process of the run. */
export interface ServiceProcess {
  readonly port: number;
  readonly pid: number;
  /** SIGTERM, SIGKILL after 3 s; resolves once it exited. Safe to call more than once. */
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function stopper(proc: ChildProcess): () => Promise<void> {
  const onExit = (): void => void proc.kill('SIGKILL');
  process.on('exit', onExit);
  return async () => {
    process.off('exit', onExit);
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_GRACE_MS);
      proc.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      proc.kill('SIGTERM');
    });
  };
}

/** Starts the emulator on a free port and waits for its `SQS_EMULATOR_LISTENING <port>` line. */
export async function startEmulator(): Promise<ServiceProcess> {
  const proc = spawn(process.execPath, [SQS_EMULATOR_SCRIPT, '--port', '0'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const stop = stopper(proc);
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the SQS emulator did not listen within ${START_MS} ms: ${output.slice(-2000)}`)), START_MS);
    proc.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /^SQS_EMULATOR_LISTENING (\d+)$/m.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    proc.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the SQS emulator exited (${String(code)}) before listening: ${output.slice(-2000)}`));
    });
    proc.once('error', reject);
  }).catch(async (err: unknown) => {
    await stop();
    throw err;
  });
  // Keep reading its output so a chatty emulator never blocks on a full pipe.
  proc.stdout?.resume();
  proc.stderr?.resume();
  return { port, pid: proc.pid ?? 0, stop };
}

/** The emulator's version for the report. */
export function emulatorVersion(): string {
  try {
    const { version } = JSON.parse(readFileSync(FAUXQS_PACKAGE, 'utf8')) as { version: string };
    return `fauxqs ${version} + the Query/XML gateway of @q/test-services, its own process`;
  } catch {
    return 'fauxqs (version unknown) + the Query/XML gateway of @q/test-services';
  }
}

/** Starts an in-memory redis-server (no RDB, no AOF) on a free port and waits until it answers. */
export async function startResultsRedis(ping: (port: number) => Promise<boolean>): Promise<ServiceProcess> {
  const port = await freePort();
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const stop = stopper(proc);
  const deadline = Date.now() + START_MS;
  while (!(await ping(port).catch(() => false))) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`the private redis-server on port ${port} did not start (exit code ${String(proc.exitCode)})`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return { port, pid: proc.pid ?? 0, stop };
}
