/**
 * The cost of task events (`pnpm --filter @q/bench bench:events`), for issue 16's "Must hold": with events on (`-E`,
 * Redis, a no-op drain) the drain rate drops by at most 15 %, and a row shows q with and without events beside Celery
 * with `-E`.
 *
 * Each run pre-loads `EVENTS_BENCH_TASKS` (20,000) no-op tasks into the `celery` list of Redis db 7 (one message sent
 * by a q client, copied with fresh ids, as the main bench's drain does), then starts a worker and times the drain as
 * the main bench does: from the first poll that sees a message taken to the first that sees the queue empty and
 * nothing unacknowledged (every 5 ms), with the worker's CPU (process tree, `/proc`) over the same span. Four rows:
 * - q, its best drain configuration of the main bench (`-P async -c 100 --prefetch-multiplier 4`, no result backend),
 *   `--without-gossip --without-mingle -l warning`, the app with `eventsPlugin()`: without `-E`, and with `-E`;
 * - Celery 5.2.6 (`/usr/bin/python3 -m celery`, `src/python/bench_app.py`, the main bench's, no result backend) in the main bench's
 *   best drain configuration, `-P solo`, with `--without-gossip --without-mingle -l WARNING`: without `-E`, and
 *   with `-E`.
 * Heartbeats stay on in every row (q and Celery: every 2 s). A monitor is attached throughout: q's `EventReceiver`
 * in this process counts what arrives (3 task events per task with `-E`: received, started, succeeded; plus the
 * worker's online, heartbeats and offline). After the drain the worker stays up until every task event has arrived
 * (or 10 s), then stops. `EVENTS_BENCH_RUNS` (3) rounds, the four rows interleaved in each; the medians are reported.
 *
 * q runs from its sources, bundled by esbuild as the main bench's workers are: the CLI (`packages/cli/src/main.ts`)
 * and `events-app.ts` in one bundle (`node_modules/.cache/q-bench/events-worker.mjs`), so no TypeScript loader and
 * no stale `dist/` is timed; `EVENTS_BENCH_SOURCE=1` runs the CLI through tsx instead. `EVENTS_BENCH_PROFILE=1`
 * also profiles each q worker with `-E` (`--cpu-prof`, into `node_modules/.cache/q-bench/events-profiles/`) and
 * prints the top self-time functions, the source file of each taken from esbuild's module comments in the bundle;
 * `EVENTS_BENCH_ONLY=q` runs the q rows alone. The target is met only when the drop is within 15 % AND the monitor
 * received every task event (a drain that is fast because events were dropped does not count).
 * The rows go to stdout and, as a Markdown block, to `node_modules/.cache/q-bench/events.md`.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createApp } from '@q/core';
import { EventReceiver } from '@q/events';
import type { QEvent } from '@q/events';
import { Redis } from 'ioredis';
import { BENCH_ROOT, OUT_DIR, bundleFromSource } from '../build.js';
import { cloneQueue } from '../brokers/redis-fill.js';
import { treeCpuMs } from '../cpu.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const APP = fileURLToPath(new URL('./events-app.ts', import.meta.url));
const URL_ = process.env['EVENTS_BENCH_REDIS'] ?? 'redis://127.0.0.1:6379/7';
const TASKS = Number(process.env['EVENTS_BENCH_TASKS'] ?? 20_000);
const RUNS = Number(process.env['EVENTS_BENCH_RUNS'] ?? 3);
const FROM_SOURCE = process.env['EVENTS_BENCH_SOURCE'] === '1';
const PROFILE = process.env['EVENTS_BENCH_PROFILE'] === '1';
/** `EVENTS_BENCH_ONLY=q`: the q rows only (a profile run). */
const ONLY_Q = process.env['EVENTS_BENCH_ONLY'] === 'q';
const BUNDLE = path.join(OUT_DIR, 'events-worker.mjs');
const APP_REF = path.join(OUT_DIR, 'events-app-ref.mjs');
const PROFILE_DIR = path.join(OUT_DIR, 'events-profiles');
const QUEUE = 'celery';
const PYTHON = '/usr/bin/python3';
const PY_DIR = path.join(BENCH_ROOT, 'src', 'python');
const Q_ARGS = ['-P', 'async', '-c', '100', '--prefetch-multiplier', '4', '--without-gossip', '--without-mingle'];
const CELERY_ARGS = ['-m', 'celery', '-A', 'bench_app', 'worker', '-P', 'solo', '--without-gossip', '--without-mingle', '-l', 'WARNING', '-Q', QUEUE];
/** Issue 16: the drain rate with events on is at least 85 % of the rate without. */
const MAX_DROP = 0.15;

/**
 * One bundle holding the CLI and the app, so both share one copy of `@q/*`: the entry puts the app on `globalThis`
 * and `-A` names a two-line module that exports it.
 */
async function buildWorker(): Promise<void> {
  mkdirSync(OUT_DIR, { recursive: true });
  const entry = path.join(OUT_DIR, 'events-worker-entry.mjs');
  const main = path.join(ROOT, 'packages', 'cli', 'src', 'main.ts');
  writeFileSync(
    entry,
    [`import { app } from ${JSON.stringify(APP)};`, `import { main } from ${JSON.stringify(main)};`, 'globalThis.__qEventsBenchApp = app;', 'await main(process.argv);', 'process.exit();', ''].join('\n'),
  );
  writeFileSync(APP_REF, 'export const app = globalThis.__qEventsBenchApp;\n');
  // ink (the TUI of `q events`) imports its React devtools, used only with DEV=true and not installed: a stub
  const devtoolsStub = path.join(OUT_DIR, 'react-devtools-core-stub.mjs');
  writeFileSync(devtoolsStub, 'export default {};\n');
  await bundleFromSource(entry, BUNDLE, { alias: { 'react-devtools-core': devtoolsStub } });
}

interface Running {
  child: ChildProcess;
  /** The end of its stderr (Celery's), for an error. */
  tail(): string;
  stop(): Promise<void>;
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Starts a q worker and resolves once it printed its banner. */
async function startQ(events: boolean, profileName: string | null): Promise<Running> {
  const prof = profileName === null ? [] : ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`, `--cpu-prof-name=${profileName}`];
  const command = FROM_SOURCE ? ['--conditions=@q/source', '--import', 'tsx', 'packages/cli/src/bin.ts', '-A', APP] : [BUNDLE, '-A', APP_REF];
  const args = [...prof, ...command, '-l', 'warning', 'worker', '-n', `events-bench-q${events ? '-E' : ''}@bench`, ...Q_ARGS, ...(events ? ['-E'] : [])];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, EVENTS_BENCH_REDIS: URL_ } });
  let out = '';
  const onData = (chunk: Buffer): void => {
    out += chunk.toString();
    if (out.includes('[queues]')) ready();
  };
  let ready = (): void => undefined;
  await new Promise<void>((resolve, reject) => {
    ready = resolve;
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`q worker exited (${code}) before it was ready: ${out}`)));
  });
  child.stdout?.off('data', onData);
  child.stdout?.resume();
  return { child, tail: () => '', stop: () => stopChild(child) };
}

/** Starts a Celery worker; at WARNING it prints nothing when ready: the drain waits for the first message taken. */
function startCelery(events: boolean): Running {
  const args = [...CELERY_ARGS, '-n', `events-bench-celery${events ? '-E' : ''}@%h`, ...(events ? ['-E'] : [])];
  const child = spawn(PYTHON, args, { cwd: PY_DIR, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, BENCH_BROKER: URL_, BENCH_BACKEND: '', PYTHONUNBUFFERED: '1' } });
  // its warnings (running as root, the warm shutdown) are kept for an error only
  let err = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    err = (err + chunk.toString()).slice(-4000);
  });
  return { child, tail: () => err, stop: () => stopChild(child) };
}

/** What the attached monitor heard during one run. */
class Tally {
  readonly byType = new Map<string, number>();
  /** When the last task event arrived (`performance.now()`). */
  lastTaskAt = 0;
  add(event: QEvent): void {
    this.byType.set(event.type, (this.byType.get(event.type) ?? 0) + 1);
    if (event.type.startsWith('task-')) this.lastTaskAt = performance.now();
  }
  get task(): number {
    let n = 0;
    for (const [type, count] of this.byType) if (type.startsWith('task-')) n += count;
    return n;
  }
  get total(): number {
    let n = 0;
    for (const count of this.byType.values()) n += count;
    return n;
  }
  clear(): void {
    this.byType.clear();
    this.lastTaskAt = 0;
  }
}

interface RunResult {
  seconds: number;
  rate: number;
  cpuUsPerTask: number;
  taskEvents: number;
  events: number;
  /** Task events received per second of the drain (those that arrived by its end). */
  eventsPerSecond: number;
  heartbeats: number;
  /** Seconds from the end of the drain to the last task event received (0 when all came during the drain). */
  lagSeconds: number;
}

type RowId = 'q' | 'q -E' | 'celery' | 'celery -E';

async function drain(redis: Redis, tally: Tally, row: RowId, round: number): Promise<RunResult> {
  const events = row.endsWith('-E');
  await redis.del(QUEUE, 'unacked', 'unacked_index');
  // the template: one message from a q client, copied TASKS times with fresh ids
  const client = createApp({ name: 'events-bench-client', broker: URL_ });
  await client.sendTask('bench.noop');
  await client.close();
  await cloneQueue(redis, QUEUE, TASKS);
  tally.clear();
  const worker = row.startsWith('q') ? await startQ(events, PROFILE ? `q-${events ? 'events' : 'plain'}-${round}-${Date.now()}.cpuprofile` : null) : startCelery(events);
  try {
    const pid = worker.child.pid ?? 0;
    const spawnedAt = performance.now();
    let t0: number | null = null;
    let cpu0 = 0;
    let taskEventsAtT0 = 0;
    for (;;) {
      if (worker.child.exitCode !== null) throw new Error(`${row} worker exited during the drain: ${worker.tail()}`);
      const [[, waiting], [, unacked]] = (await redis.multi().llen(QUEUE).hlen('unacked').exec()) as [[null, number], [null, number]];
      const at = performance.now();
      if (t0 === null && waiting < TASKS) {
        t0 = at;
        cpu0 = treeCpuMs(pid);
        taskEventsAtT0 = tally.task;
      }
      if (t0 !== null && waiting === 0 && unacked === 0) {
        const cpuMs = treeCpuMs(pid) - cpu0;
        const seconds = (at - t0) / 1000;
        const inDrain = tally.task - taskEventsAtT0;
        // the monitor: wait until every task event came, or none came for 2 s (the dispatcher may have dropped some)
        const expected = events ? 3 * TASKS : 0;
        const until = performance.now() + 60_000;
        while (tally.task < expected && performance.now() < until && performance.now() - Math.max(tally.lastTaskAt, at) < 2_000) await delay(20);
        const lagSeconds = Math.max(0, (tally.lastTaskAt - at) / 1000);
        await worker.stop();
        await delay(300); // worker-offline
        return {
          seconds,
          rate: TASKS / seconds,
          cpuUsPerTask: (cpuMs * 1000) / TASKS,
          taskEvents: tally.task,
          events: tally.total,
          eventsPerSecond: inDrain / seconds,
          heartbeats: tally.byType.get('worker-heartbeat') ?? 0,
          lagSeconds,
        };
      }
      if (t0 === null && at - spawnedAt > 60_000) throw new Error(`${row} worker took no message within 60 s: ${worker.tail()}`);
      if (t0 !== null && at - t0 > 600_000) throw new Error(`${row} worker did not drain ${TASKS} tasks within 600 s`);
      await delay(5);
    }
  } finally {
    await worker.stop();
    await redis.del(QUEUE, 'unacked', 'unacked_index');
  }
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

/** Self time by function in a V8 CPU profile of the bundle, each with its source file from esbuild's `// path` module comments. */
function topSelfTime(profileFile: string, bundle: string, limit: number): { rows: string[]; totalMs: number; eventsMs: number } {
  const profile = JSON.parse(readFileSync(profileFile, 'utf8')) as {
    nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
    samples: number[];
    timeDeltas: number[];
  };
  const markers: { line: number; file: string }[] = [];
  readFileSync(bundle, 'utf8')
    .split('\n')
    .forEach((text, line) => {
      const m = /^\/\/ (\S+\.(?:ts|js|mjs|cjs))$/.exec(text);
      if (m?.[1] !== undefined) markers.push({ line, file: m[1].replace(/^(\.\.\/)+/, '') });
    });
  const fileOf = (url: string, line: number): string => {
    if (!url.endsWith('events-worker.mjs')) return url.replace(/^file:\/\//, '').replace(ROOT, '') || '(native)';
    let file = '(bundle)';
    for (const m of markers) {
      if (m.line > line) break;
      file = m.file;
    }
    return file;
  };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let totalMs = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    if (!node) return;
    totalMs += ms;
    const key = `${node.callFrame.functionName || '(anonymous)'}  ${fileOf(node.callFrame.url, node.callFrame.lineNumber)}`;
    self.set(key, (self.get(key) ?? 0) + ms);
  });
  const sorted = [...self.entries()].sort((a, b) => b[1] - a[1]);
  const isEvents = (key: string): boolean => /packages\/events\/src\/|task-events\.ts/.test(key);
  const eventsMs = sorted.filter(([k]) => isEvents(k)).reduce((sum, [, ms]) => sum + ms, 0);
  const fmt = ([k, ms]: [string, number]): string => `${ms.toFixed(0).padStart(6)} ms ${((ms / totalMs) * 100).toFixed(1).padStart(5)} %  ${k}`;
  return { rows: [...sorted.slice(0, limit).map(fmt), '  events code (packages/events/src, task-events.ts), by self time:', ...sorted.filter(([k]) => isEvents(k)).slice(0, limit).map(fmt)], totalMs, eventsMs };
}

async function main(): Promise<void> {
  if (!FROM_SOURCE) await buildWorker();
  if (PROFILE) {
    rmSync(PROFILE_DIR, { recursive: true, force: true });
    mkdirSync(PROFILE_DIR, { recursive: true });
  }
  const redis = new Redis(URL_, { maxRetriesPerRequest: 2 });
  await redis.flushdb();
  const monitor = createApp({ name: 'events-bench-monitor', broker: URL_ });
  const tally = new Tally();
  const { exchange, queuePrefix, queueExpires, queueTtl } = monitor.conf.events;
  const receiver = new EventReceiver({
    transport: () => monitor.getTransport(),
    handlers: { '*': (e) => tally.add(e) },
    topology: { eventExchange: exchange, eventQueuePrefix: queuePrefix, eventQueueExpires: queueExpires, eventQueueTtl: queueTtl },
  });
  const row = (text: string): void => void process.stdout.write(`${text}\n`);
  const load0 = loadavg()[0] ?? 0;
  const results = new Map<RowId, RunResult[]>();
  try {
    await receiver.start();
    row(`events bench: ${TASKS} no-op tasks pre-loaded, ${RUNS} rounds; Redis ${URL_}; q ${FROM_SOURCE ? 'from source (tsx)' : 'bundled from source (esbuild)'}; load average at start ${load0.toFixed(2)}`);
    const order: RowId[] = ONLY_Q ? ['q', 'q -E'] : ['q', 'q -E', 'celery', 'celery -E'];
    for (let round = 1; round <= RUNS; round++) {
      for (const id of order) {
        const r = await drain(redis, tally, id, round);
        results.set(id, [...(results.get(id) ?? []), r]);
        row(
          `round ${round} ${id}: ${Math.round(r.rate)} tasks/s (${r.seconds.toFixed(2)} s), worker CPU ${r.cpuUsPerTask.toFixed(0)} µs/task, ` +
            `monitor: ${r.taskEvents} task events (${id.endsWith('-E') ? `${((r.taskEvents / (3 * TASKS)) * 100).toFixed(1)} % of ${3 * TASKS}` : 'none expected'}), ` +
            `${r.heartbeats} heartbeats, ${r.events} events in all; ${Math.round(r.eventsPerSecond)} task events/s during the drain, the last ${r.lagSeconds.toFixed(2)} s after it`,
        );
      }
    }
  } finally {
    await receiver.stop();
    await monitor.close();
    await redis.flushdb();
    await redis.quit();
  }

  const med = (id: RowId, pick: (r: RunResult) => number): number => median((results.get(id) ?? []).map(pick));
  const n = (x: number): string => Math.round(x).toLocaleString('en-US');
  const rates = (id: RowId): string => (results.get(id) ?? []).map((r) => n(r.rate)).join(', ');
  const drop = (off: RowId, on: RowId): number => 1 - med(on, (r) => r.rate) / med(off, (r) => r.rate);
  const qDrop = drop('q', 'q -E');
  const cDrop = drop('celery', 'celery -E');
  const received = (id: RowId): string => {
    const rs = results.get(id) ?? [];
    const got = Math.min(...rs.map((r) => r.taskEvents));
    return `${n(got)} / ${n(3 * TASKS)} task events (fewest of the runs), ${n(med(id, (r) => r.heartbeats))} heartbeats`;
  };
  const load1 = loadavg()[0] ?? 0;
  // a drain that is fast because events were dropped does not meet the target
  const fewestQ = Math.min(...(results.get('q -E') ?? []).map((r) => r.taskEvents));
  const lost = 3 * TASKS - fewestQ;
  const verdict = qDrop <= MAX_DROP && lost === 0 ? 'met' : `not met${lost > 0 ? `, ${n(lost)} task events lost in a run` : ''}`;
  const table = [
    '| row | drain (tasks/s, median) | runs | worker CPU (µs/task, median) | change with -E | events received by the monitor | task events/s during the drain; last one after the drain (median) |',
    '|---|---:|---|---:|---|---|---|',
    `| q \`-P async -c 100\`, eventsPlugin, no -E | ${n(med('q', (r) => r.rate))} | ${rates('q')} | ${n(med('q', (r) => r.cpuUsPerTask))} | — | ${n(med('q', (r) => r.heartbeats))} heartbeats, no task events | — |`,
    `| q \`-P async -c 100\`, -E | ${n(med('q -E', (r) => r.rate))} | ${rates('q -E')} | ${n(med('q -E', (r) => r.cpuUsPerTask))} | ${(-qDrop * 100).toFixed(1)} % (target: drop ≤ ${MAX_DROP * 100} % with every event delivered: ${verdict}) | ${received('q -E')} | ${n(med('q -E', (r) => r.eventsPerSecond))}; +${med('q -E', (r) => r.lagSeconds).toFixed(1)} s |`,
    ...(ONLY_Q
      ? []
      : [
          `| Celery \`-P solo\`, no -E | ${n(med('celery', (r) => r.rate))} | ${rates('celery')} | ${n(med('celery', (r) => r.cpuUsPerTask))} | — | ${n(med('celery', (r) => r.heartbeats))} heartbeats, no task events | — |`,
          `| Celery \`-P solo\`, -E | ${n(med('celery -E', (r) => r.rate))} | ${rates('celery -E')} | ${n(med('celery -E', (r) => r.cpuUsPerTask))} | ${(-cDrop * 100).toFixed(1)} % | ${received('celery -E')} | ${n(med('celery -E', (r) => r.eventsPerSecond))}; +${med('celery -E', (r) => r.lagSeconds).toFixed(1)} s |`,
        ]),
    '',
    `${TASKS.toLocaleString('en-US')} tasks a run, ${RUNS} runs a row (interleaved); load average (1 min) ${load0.toFixed(2)} at the start, ${load1.toFixed(2)} at the end.`,
  ];
  const md = ['<!-- events-bench:begin (generated by `pnpm --filter @q/bench bench:events`) -->', ...table, '<!-- events-bench:end -->', ''].join('\n');
  writeFileSync(path.join(OUT_DIR, 'events.md'), md);
  process.stdout.write(`\n${md}`);

  if (PROFILE) {
    for (const file of readdirSync(PROFILE_DIR).filter((f) => f.endsWith('.cpuprofile'))) {
      const top = topSelfTime(path.join(PROFILE_DIR, file), BUNDLE, 25);
      row(`\nprofile ${file}: ${top.totalMs.toFixed(0)} ms sampled, ${top.eventsMs.toFixed(0)} ms (${((top.eventsMs / top.totalMs) * 100).toFixed(1)} %) self time in events code; top self time:`);
      for (const line of top.rows) row(line);
    }
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
