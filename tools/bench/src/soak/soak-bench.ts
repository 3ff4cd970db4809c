/**
 * The soak (issue 20 §7; a benchmark, not CI): 1,000,000 no-op tasks through ONE q worker on Redis (a private
 * redis-server; async pool, concurrency 100, prefetch multiplier 4, results off, log level WARNING), the queue kept
 * supplied in chunks of 100,000. For each window of 100,000 tasks it prints the drain rate and the worker's RSS
 * (`VmRSS`) at the window's end, then the two verdicts:
 *
 * - no leak: RSS after the run at most 10 % above RSS after the first 100,000 (less is fine: V8 gave memory back);
 * - steady: the last window's rate ≥ 90 % of the first's;
 * - none lost: the worker's `stats` reply counts exactly as many `bench.noop` runs as were sent.
 *
 * `pnpm --filter @q/bench bench:soak` (about 3–6 minutes on 2 cores); `-- --tasks=200000` for a shorter run,
 * `-- --window=N` for another window. Exits 1 when a verdict fails.
 */
import { fileURLToPath } from 'node:url';
import { createApp } from '@q/core';
import { redisTransport } from '@q/transport-redis';
import { QUEUE, TASK_NAME } from '../config.js';
import { installCleanup, start } from '../proc.js';
import { currentRss, peakRss } from '../rss.js';
import { pushCopies, templateMessage } from './soak-filler.js';
import { startSoakRedis } from './soak-redis-server.js';

const arg = (name: string, fallback: number): number => {
  const given = process.argv.find((a) => a.startsWith(`--${name}=`));
  const value = given === undefined ? fallback : Number(given.slice(name.length + 3).replace(/_/g, ''));
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`);
  return value;
};

const TOTAL = arg('tasks', 1_000_000);
const WINDOW = arg('window', 100_000);
/** Messages pushed at a time; a chunk is pushed when fewer than half of one wait in the queue. */
const CHUNK = 100_000;
const POLL_MS = 100;
/** The whole run may take this long before the soak gives up (a stuck worker). */
const LIMIT_MS = Math.max(600_000, TOTAL * 2);
const WORKER_SCRIPT = fileURLToPath(new URL('../bin/q-worker.ts', import.meta.url));
const BENCH_DIR = fileURLToPath(new URL('../..', import.meta.url));

interface WindowRow {
  upTo: number;
  seconds: number;
  rate: number;
  rssMb: number;
}

/** `bench.noop` tasks the worker says it ran (`inspect stats`, `total`), or null without a reply. */
async function tasksRun(url: string): Promise<number | null> {
  const app = createApp({ name: 'soak-inspect', broker: redisTransport(url), backend: null });
  try {
    const replies = await app.control.inspect({ timeout: 5 }).stats();
    const [reply] = Object.values(replies ?? {});
    const total = reply?.total?.[TASK_NAME];
    return typeof total === 'number' ? total : null;
  } finally {
    await app.close();
  }
}

const mb = (bytes: number | null): number => Math.round(((bytes ?? 0) / 1024 / 1024) * 10) / 10;

async function main(): Promise<number> {
  const server = await startSoakRedis();
  installCleanup(() => server.stop());
  const { redis } = server;
  try {
    const template = await templateMessage(server.url, redis);
    let pushed = 0;
    let inFlight = 0;
    let filling: Promise<void> | null = null;
    const topUp = (): void => {
      if (filling !== null || pushed + inFlight >= TOTAL) return;
      const n = Math.min(CHUNK, TOTAL - pushed - inFlight);
      inFlight += n;
      filling = pushCopies(redis, template, n, (count) => {
        // counted before the next LLEN is read: a pushed message is either waiting or done
        pushed += count;
        inFlight -= count;
      }).then(() => {
        filling = null;
      });
    };
    topUp();
    await filling;

    const worker = start('q worker', process.execPath, ['--conditions=@q/source', '--import', 'tsx', WORKER_SCRIPT, 'async', '100', '4', '-', server.url, 'warn'], { cwd: BENCH_DIR });
    await worker.waitForLine(/^READY/, 60_000);
    const t0 = performance.now();
    const rows: WindowRow[] = [];
    let windowStart = t0;
    let done = 0;
    while (done < TOTAL) {
      if (worker.exited) throw new Error(`the worker exited after ${done} tasks; output:\n${worker.tail}`);
      if (performance.now() - t0 > LIMIT_MS) throw new Error(`gave up after ${LIMIT_MS} ms with ${done} of ${TOTAL} tasks done`);
      const [[, waiting], [, unacked]] = (await redis.multi().llen(QUEUE).hlen('unacked').exec()) as [[null, number], [null, number]];
      done = pushed - waiting - unacked;
      if (waiting < CHUNK / 2) topUp();
      const boundary = (rows.length + 1) * WINDOW;
      if (done >= Math.min(boundary, TOTAL)) {
        const now = performance.now();
        const count = Math.min(boundary, TOTAL) - rows.length * WINDOW;
        rows.push({ upTo: Math.min(boundary, TOTAL), seconds: (now - windowStart) / 1000, rate: count / ((now - windowStart) / 1000), rssMb: mb(currentRss(worker.pid)) });
        windowStart = now;
        const row = rows[rows.length - 1] as WindowRow;
        process.stderr.write(`soak: ${row.upTo.toLocaleString('en-US')} done, ${Math.round(row.rate)}/s, RSS ${row.rssMb} MB\n`);
        continue;
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    const totalSeconds = (performance.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 5_000));
    const ran = await tasksRun(server.url);
    const idleRss = mb(currentRss(worker.pid));
    const peak = mb(peakRss(worker.pid));
    await worker.stop(10_000);

    const first = rows[0] as WindowRow;
    const last = rows[rows.length - 1] as WindowRow;
    const rssRatio = last.rssMb / first.rssMb;
    const rateRatio = last.rate / first.rate;
    const lines = [
      `## Soak: ${TOTAL.toLocaleString('en-US')} no-op tasks, one q worker on Redis (async pool, concurrency 100, prefetch ×4, results off)`,
      '',
      '| tasks done | window s | rate (tasks/s) | worker RSS (MB) |',
      '|---:|---:|---:|---:|',
      ...rows.map((r) => `| ${r.upTo.toLocaleString('en-US')} | ${r.seconds.toFixed(1)} | ${Math.round(r.rate).toLocaleString('en-US')} | ${r.rssMb} |`),
      '',
      `none lost: the worker ran ${ran?.toLocaleString('en-US') ?? 'an unknown number of'} bench.noop tasks (stats reply) of ${TOTAL.toLocaleString('en-US')} (${ran === TOTAL ? 'yes' : 'NO'})`,
      `total ${totalSeconds.toFixed(1)} s (${Math.round(TOTAL / totalSeconds).toLocaleString('en-US')} tasks/s); RSS 5 s after the run ${idleRss} MB; peak RSS (VmHWM) ${peak} MB`,
      `no leak: RSS after the run / after the first window = ${last.rssMb} / ${first.rssMb} MB = ${(rssRatio * 100).toFixed(1)} % (at most 110 %: ${rssRatio <= 1.1 ? 'yes' : 'NO'})`,
      `steady: last window's rate / first window's = ${Math.round(last.rate)} / ${Math.round(first.rate)} = ${(rateRatio * 100).toFixed(1)} % (≥ 90 %: ${rateRatio >= 0.9 ? 'yes' : 'NO'})`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return rssRatio <= 1.1 && rateRatio >= 0.9 && ran === TOTAL ? 0 : 1;
  } finally {
    await server.stop();
  }
}

process.exitCode = await main();
