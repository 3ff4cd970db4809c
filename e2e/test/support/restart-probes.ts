/**
 * Helpers of the broker/backend restart tests: a `q worker` of `e2e/apps/reliability-restart-app.ts`, a Redis
 * connection that fails fast while its server is down (for probing), how long until a probe sees progress, and
 * the stored results of a list of task ids.
 */
import { Redis } from 'ioredis';
import { startProcess, type ManagedProcess } from './managed-process.js';
import { ROOT, TSX_ARGS } from './q-process.js';

/** The app the restart tests' workers run. */
export const RESTART_APP = 'e2e/apps/reliability-restart-app.ts';

/** The task of {@link RESTART_APP}. */
export const RESTART_TASK = 'restart.work';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Starts `q -A e2e/apps/reliability-restart-app.ts -b <broker> --result-backend <backend> -l <level> worker ...args`
 * (tasks waiting `taskMs` each) and waits for `ready`.
 */
export async function startRestartWorker(
  broker: string,
  backend: string,
  options: { taskMs: number; level?: string; args?: readonly string[] },
): Promise<ManagedProcess> {
  const args = [...TSX_ARGS, 'packages/cli/src/bin.ts', '-A', RESTART_APP, '-b', broker, '--result-backend', backend,
    '-l', options.level ?? 'info', 'worker', '--without-heartbeat', '--without-gossip', '--without-mingle', ...(options.args ?? [])];
  const worker = startProcess(process.execPath, args, { cwd: ROOT, env: { RESTART_TASK_MS: String(options.taskMs) } });
  await worker.waitFor(/\bready\b/, 30_000);
  return worker;
}

/**
 * A connection for probing a server that is stopped and started: a command made while it is down fails at once
 * (no offline queue, no retries) and the client reconnects every 10 ms.
 */
export function probeClient(url: string): Redis {
  const client = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 10, lazyConnect: false });
  client.on('error', () => undefined);
  return client;
}

/**
 * Polls `probe` every 25 ms until `done(value)`; resolves to the ms that took (a probe that throws, e.g. while
 * the server is still unreachable, counts as not done). Rejects after `timeoutMs` naming `what`.
 */
export async function msUntil<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number, what: string | (() => string)): Promise<number> {
  const t0 = Date.now();
  let last: unknown = 'no answer';
  while (Date.now() - t0 < timeoutMs) {
    try {
      const value = await probe();
      last = value;
      if (done(value)) return Date.now() - t0;
    } catch (err) {
      last = err instanceof Error ? err.message : err;
    }
    await sleep(25);
  }
  const described = typeof what === 'string' ? what : what();
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${described} (last probe: ${String(last).slice(0, 200)})`);
}

/** Celery's result document, as far as the restart tests read it. */
export interface StoredResult {
  status: string;
  result: unknown;
}

/** The stored result documents of `ids` (`celery-task-meta-<id>`), `null` where none is stored. */
export async function storedResults(redis: Redis, ids: readonly string[]): Promise<(StoredResult | null)[]> {
  const out: (StoredResult | null)[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const docs = await redis.mget(...ids.slice(i, i + 500).map((id) => `celery-task-meta-${id}`));
    for (const doc of docs) out.push(doc === null ? null : (JSON.parse(doc) as StoredResult));
  }
  return out;
}

/** The ids whose result is not SUCCESS with the value they were sent with (`ids[k]` was sent with `from + k`). */
export async function missingResults(redis: Redis, ids: readonly string[], from = 0): Promise<string[]> {
  const docs = await storedResults(redis, ids);
  return ids.filter((_, k) => docs[k]?.status !== 'SUCCESS' || docs[k]?.result !== from + k);
}

/** SIGSTOP / SIGCONT `pid`: a network partition as the client sees it (connections stay open, nothing answers). */
export function pause(pid: number, paused: boolean): void {
  process.kill(pid, paused ? 'SIGSTOP' : 'SIGCONT');
}

/**
 * When the first line of a worker's `output` matching `pattern` was logged (its `[YYYY-MM-DD HH:MM:SS.mmm: …]`
 * stamp, local time), or `null` when none matches.
 */
export function loggedAt(output: string, pattern: RegExp): number | null {
  const line = output.split('\n').find((l) => pattern.test(l));
  const stamp = line === undefined ? undefined : /^\[(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d{3})/.exec(line);
  return stamp ? new Date(`${stamp[1]}T${stamp[2]}`).getTime() : null;
}
