/**
 * What the remote-control interop groups share (`control-cases.ts` and the groups it registers): the suite's
 * description, node names, and how to run Celery's CLI, Celery's `app.control` (`e2e/python/control_client.py`) and
 * the q CLI to completion and read their `--json` output.
 */
import { spawn } from 'node:child_process';
import { createApp } from '@q/core';
import type { App, AsyncResult } from '@q/core';
import type { Redis } from 'ioredis';
import { expect, vi } from 'vitest';
import { startProcess } from './managed-process.js';
import type { ManagedProcess } from './managed-process.js';
import { PYTHON_DIR, envOf } from './python-celery.js';
import type { InteropEnv } from './python-celery.js';
import { runQ } from './q-process.js';
import { INTEROP_APP } from './q-worker.js';

/** What the cases run against (read when each group starts, after the suite's `beforeAll`). */
export interface ControlInteropSuite {
  /** `Redis` or `RabbitMQ`, for the test names. */
  broker: string;
  /** Debian's `/usr/bin/python3` with Celery. */
  python: string;
  urls(): InteropEnv;
  /** The Redis db tasks record into (`tasks.record`). */
  ledger(): Redis;
  /** `stats().broker` of a worker here: `transport` and `port`. */
  brokerInfo: { transport: string; port: number };
  /** Pool arguments of the q worker Python controls (it must be able to terminate a running `tasks.sleep`). */
  qWorkerArgs: readonly string[];
  /** That pool has children that `pool_grow` / `pool_shrink` add and remove (then it must be `-c 2`, prefetch multiplier 4). */
  qPoolResizes: boolean;
}

/** Node names of the workers started here (fixed names: `-d` needs them). */
export const NODES = {
  q: 'q-ctl@interop',
  python: 'py-ctl@interop',
  mixedQ: 'q-mix@interop',
  mixedPython: 'py-mix@interop',
  minglingQ: 'q-mingle@interop',
  minglingPython: 'py-mingle@interop',
  five: ['q-five1@interop', 'q-five2@interop', 'q-five3@interop', 'q-five4@interop', 'q-five5@interop'],
} as const;

/** The tasks of both interop apps, as `registered` lists them (sorted, no `celery.*`). */
export const INTEROP_TASKS = [
  'tasks.add', 'tasks.echo', 'tasks.errback', 'tasks.fail', 'tasks.flaky', 'tasks.mul', 'tasks.record', 'tasks.sleep',
  'tasks.slow_record', 'tasks.xsum',
];

/** The Python interop app's tasks: those and `tasks.request_info` (the beat interop test's, Python-only). */
export const PYTHON_INTEROP_TASKS = [...INTEROP_TASKS, 'tasks.request_info'].sort();

/** The keys of a kombu `Queue.as_dict(recurse=True)`, as `active_queues` replies. */
export const KOMBU_QUEUE_KEYS = [
  'alias', 'auto_delete', 'binding_arguments', 'bindings', 'consumer_arguments', 'durable', 'exchange', 'exclusive',
  'expires', 'max_length', 'max_length_bytes', 'max_priority', 'message_ttl', 'name', 'no_ack', 'no_declare',
  'queue_arguments', 'routing_key',
];

/** Output of a run to completion. */
export interface Run {
  code: number | string;
  stdout: string;
  stderr: string;
}

/** Runs `python args…` in `e2e/python` with the interop environment; kills it after `timeoutMs`. */
export function runPython(python: string, urls: InteropEnv, args: readonly string[], timeoutMs = 30_000): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(python, args, { cwd: PYTHON_DIR, env: { ...process.env, ...envOf(urls) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? signal ?? 'unknown', stdout, stderr });
    });
  });
}

/** The JSON document a command printed (its first line that starts one); fails the test with the output otherwise. */
export function jsonOf(run: Run, what: string): unknown {
  const line = run.stdout.split('\n').find((l) => l.startsWith('{') || l.startsWith('['));
  if (run.code !== 0 || line === undefined) {
    throw new Error(`${what} exited ${String(run.code)} without JSON\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`);
  }
  return JSON.parse(line) as unknown;
}

/** `python3 -m celery -A capapp <args…>` (Celery's own CLI). */
export function celery(python: string, urls: InteropEnv, args: readonly string[]): Promise<Run> {
  return runPython(python, urls, ['-m', 'celery', '-A', 'capapp', ...args]);
}

/** `celery <args…> --json`, parsed; Python must have read every reply (exit 0, no traceback). */
export async function celeryJson(python: string, urls: InteropEnv, args: readonly string[]): Promise<unknown> {
  const run = await celery(python, urls, [...args, '--json']);
  expect(run.stderr, `celery ${args.join(' ')}`).not.toMatch(/Traceback|Error:/);
  return jsonOf(run, `celery ${args.join(' ')} --json`);
}

/** One call of Celery's `app.control` through `control_client.py`: the value it returned. */
export async function celeryControl(python: string, urls: InteropEnv, request: Record<string, unknown>): Promise<unknown> {
  const run = await runPython(python, urls, ['control_client.py', JSON.stringify(request)]);
  const reply = jsonOf(run, `control_client.py ${JSON.stringify(request)}`) as { ok: boolean; value?: unknown; exc_type?: string; message?: string };
  if (!reply.ok) throw new Error(`Celery's app.control raised ${reply.exc_type ?? '?'}: ${reply.message ?? ''}\n${run.stderr}`);
  return reply.value;
}

/** `q -A e2e/apps/interop-app.ts -b <broker> --result-backend <backend> <args…>` (the real q CLI, from source). */
export function q(urls: InteropEnv, args: readonly string[]): Promise<Run> {
  return runQ(['-A', INTEROP_APP, '-b', urls.broker, '--result-backend', urls.backend, ...args], envOf(urls));
}

/** `q <args…> -j`, parsed (exit 0). */
export async function qJson(urls: InteropEnv, args: readonly string[]): Promise<unknown> {
  return jsonOf(await q(urls, [...args, '-j']), `q ${args.join(' ')} -j`);
}

/** Celery's `stats` reply, the fields every reader (Flower, `celery inspect stats`) relies on. */
export function expectStatsShape(stats: unknown, broker: { transport: string; port: number }): void {
  expect(stats).toMatchObject({
    pid: expect.any(Number),
    clock: expect.stringMatching(/^\d+$/),
    uptime: expect.any(Number),
    pool: { 'max-concurrency': expect.any(Number), processes: expect.any(Array) },
    broker: { hostname: '127.0.0.1', port: broker.port, transport: broker.transport, ssl: false },
    prefetch_count: expect.any(Number),
    rusage: { utime: expect.any(Number), stime: expect.any(Number), maxrss: expect.any(Number) },
    total: expect.any(Object),
  });
}

/** Celery's request info (`active`, `reserved`, `scheduled[].request`, `query_task`) of the task `id`. */
export function requestInfo(id: string, name: string, args: unknown[], hostname: string): Record<string, unknown> {
  return {
    id,
    name,
    args,
    kwargs: {},
    type: name,
    hostname,
    delivery_info: expect.objectContaining({ routing_key: 'celery' }),
  };
}

/** `celery -A capapp worker` (solo) WITH mingle (the shared helper turns it off), ready when it says so. */
export async function startMinglingPythonWorker(python: string, urls: InteropEnv, hostname: string): Promise<ManagedProcess> {
  const args = ['-m', 'celery', '-A', 'capapp', 'worker', '-l', 'info', '-n', hostname, '-P', 'solo', '--without-gossip', '--without-heartbeat'];
  const worker = startProcess(python, args, { cwd: PYTHON_DIR, env: envOf(urls) });
  await worker.waitFor(/ ready\./, 30_000);
  return worker;
}

/** Waits until `result` is REVOKED in the result backend. */
export async function expectRevoked(result: AsyncResult, timeoutMs = 15_000): Promise<void> {
  await vi.waitFor(async () => expect(await result.state()).toBe('REVOKED'), { timeout: timeoutMs, interval: 200 });
}

/** A q client app on the suite's broker and backend (URLs: the adapters resolve by scheme). */
export function clientApp(urls: InteropEnv, name: string): App {
  return createApp({
    name,
    broker: urls.broker,
    backend: urls.backend,
    ...(urls.maxPriority !== undefined ? { task: { queueMaxPriority: urls.maxPriority } } : {}),
  });
}
