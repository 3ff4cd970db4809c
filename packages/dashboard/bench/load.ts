/**
 * Load check of the dashboard (not a test): 10 workers' heartbeats and 100 000 tasks' events (received, started,
 * succeeded) sent through Redis db 9 into a running dashboard (its own process, so its RSS is its own), then the
 * server's RSS, the page's JS heap, and the p50/p95 of the tasks API and of a search on the page.
 *
 *   cd packages/dashboard && node --conditions=@q/source --import tsx bench/load.ts [--tasks 100000] [--workers 10] [--source]
 *
 * The dashboard runs bundled by default (see `bundleServer`); `--source` runs it from source under tsx instead.
 *
 * Needs Redis on 127.0.0.1:6379 (db 9 is flushed before and after) and /usr/bin/chromium.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { LamportClock, silentLogger } from '@q/core';
import type { Transport } from '@q/core';
import { EventDispatcher } from '@q/events';
import { redisTransport } from '@q/transport-redis';
import { chromium } from 'playwright-core';

const URL9 = 'redis://127.0.0.1:6379/9';

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at === -1 ? undefined : Number(process.argv[at + 1]);
  return value === undefined || !Number.isFinite(value) ? fallback : value;
}

/**
 * Bundles `bench/serve.ts` with its dependencies into `dist/bench-serve.mjs` (esbuild, through tsx's copy), so the
 * dashboard runs as compiled JavaScript without tsx's loader (whose thread and caches would count in its RSS).
 */
async function bundleServer(): Promise<string> {
  const esbuildPath = createRequire(createRequire(import.meta.url).resolve('tsx/package.json')).resolve('esbuild');
  const esbuild = (await import(pathToFileURL(esbuildPath).href)) as { build(options: Record<string, unknown>): Promise<unknown> };
  const outfile = fileURLToPath(new URL('../dist/bench-serve.mjs', import.meta.url));
  await esbuild.build({
    entryPoints: [fileURLToPath(new URL('./serve.ts', import.meta.url))],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['@q/source'],
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: 'error',
  });
  return outfile;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function stats(samples: number[]): { p50: number; p95: number; n: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: +percentile(sorted, 50).toFixed(1), p95: +percentile(sorted, 95).toFixed(1), n: sorted.length };
}

const mb = (bytes: number): number => Math.round(bytes / 1024 / 1024);

async function flushDb(): Promise<void> {
  const requireFromTransport = createRequire(createRequire(import.meta.url).resolve('@q/transport-redis/package.json'));
  const { Redis } = requireFromTransport('ioredis') as { Redis: new (o: Record<string, unknown>) => { flushdb(): Promise<unknown>; quit(): Promise<unknown> } };
  const client = new Redis({ host: '127.0.0.1', port: 6379, db: 9 });
  await client.flushdb();
  await client.quit();
}

interface Summary {
  counters: { eventCount: number };
  tasks: { inMemory: number };
  workers: { online: number };
  memory: { rss: number; heapUsed: number };
}

async function main(): Promise<void> {
  const taskTotal = arg('tasks', 100_000);
  const workerTotal = arg('workers', 10);
  await flushDb();
  const fromSource = process.argv.includes('--source');
  const serverArgs = fromSource ? [...process.execArgv, fileURLToPath(new URL('./serve.ts', import.meta.url))] : [await bundleServer()];
  const child = spawn(process.execPath, serverArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const address = await new Promise<string>((resolve, reject) => {
    lines.once('line', (line) => resolve((JSON.parse(line) as { address: string }).address));
    child.once('exit', (code) => reject(new Error(`dashboard exited with ${code}`)));
  });
  const summary = async (): Promise<Summary> => (await (await fetch(`${address}/api/summary`)).json()) as Summary;

  const transports: Transport[] = [];
  const dispatchers: EventDispatcher[] = [];
  for (let w = 0; w < workerTotal; w += 1) {
    const transport = redisTransport(URL9);
    await transport.connect();
    transports.push(transport);
    dispatchers.push(new EventDispatcher({ transport, hostname: `load${w}@bench`, clock: new LamportClock(), bufferGroups: ['task'], logger: silentLogger }));
  }
  const processed = new Array<number>(workerTotal).fill(0);
  const beat = (type: string): void => dispatchers.forEach((d, w) => d.send(type, { freq: 2, active: 0, processed: processed[w], loadavg: [0.5, 0.4, 0.3], sw_ident: 'q', sw_ver: 'bench', sw_sys: 'Linux' }));
  beat('worker-online');
  const heart = setInterval(() => beat('worker-heartbeat'), 2000);

  // Feed in rounds, waiting for the dashboard to catch up (Redis pub/sub has no back-pressure).
  const names = Array.from({ length: 10 }, (_, i) => `bench.task${i}`);
  const perRound = 100;
  let sent = workerTotal;
  let peakRss = 0;
  const started = Date.now();
  for (let base = 0; base < taskTotal; base += perRound * workerTotal) {
    for (let w = 0; w < workerTotal; w += 1) {
      const d = dispatchers[w] as EventDispatcher;
      for (let i = 0; i < perRound; i += 1) {
        const n = base + w * perRound + i;
        if (n >= taskTotal) break;
        const uuid = `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
        const name = names[n % names.length] as string;
        d.send('task-received', { uuid, name, args: `(${n}, ${n % 97})`, kwargs: `{'tag': 'batch-${n % 1000}'}`, retries: 0, eta: null, expires: null, root_id: uuid, parent_id: null });
        d.send('task-started', { uuid, pid: 1000 + w });
        d.send('task-succeeded', { uuid, result: String(n + (n % 97)), runtime: 0.0012 });
        processed[w] = (processed[w] ?? 0) + 1;
        sent += 3;
      }
    }
    await Promise.all(dispatchers.map((d) => d.flush()));
    for (;;) {
      const s = await summary();
      peakRss = Math.max(peakRss, s.memory.rss);
      if (s.counters.eventCount >= sent - 3000) break;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  let settled: Summary;
  for (;;) {
    settled = await summary();
    if (settled.counters.eventCount >= sent) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const feedSeconds = (Date.now() - started) / 1000;
  const dropped = dispatchers.reduce((n, d) => n + d.dropped, 0);

  const settle = arg('settle', 0);
  if (settle > 0) await new Promise((r) => setTimeout(r, settle * 1000));

  // The tasks API under a mix of queries.
  const queries = ['', 'state=SUCCESS', 'name=bench.task3', 'worker=load7@bench', 'search=batch-42', 'search=0000000001f4', 'offset=5000', 'state=FAILURE'];
  const apiTimes: number[] = [];
  for (let i = 0; i < 80; i += 1) {
    const t0 = performance.now();
    const res = await fetch(`${address}/api/tasks?limit=50&${queries[i % queries.length] ?? ''}`);
    await res.json();
    apiTimes.push(performance.now() - t0);
  }

  // The page: load, search, memory.
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const t0 = performance.now();
  await page.goto(`${address}/#/tasks`);
  await page.locator('#tasks-table[data-query]').waitFor({ timeout: 30_000 });
  const pageLoadMs = performance.now() - t0;
  const searchTimes: number[] = [];
  for (let i = 0; i < 40; i += 1) {
    const text = `batch-${(i * 37) % 1000}`;
    const t1 = performance.now();
    await page.locator('#search').fill(text);
    await page.locator('#search').press('Enter');
    await page.locator(`#tasks-table[data-query*="search=${text}&"]`).waitFor({ state: 'attached', timeout: 30_000 });
    searchTimes.push(performance.now() - t1);
    if (process.env['BENCH_DEBUG']) process.stderr.write(`search ${text}: ${(performance.now() - t1).toFixed(0)} ms\n`);
  }
  await page.goto(`${address}/#/workers`);
  await page.locator('#workers-table tr[data-status="ONLINE"]').first().waitFor({ timeout: 30_000 });
  const onlineRows = await page.locator('#workers-table tr[data-status="ONLINE"]').count();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
  const heap = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? NaN;
  const heapTotal = metrics.find((m) => m.name === 'JSHeapTotalSize')?.value ?? NaN;
  const final = await summary();
  await browser.close();

  clearInterval(heart);
  await Promise.all(dispatchers.map((d) => d.close()));
  await Promise.all(transports.map((t) => t.close()));
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  await flushDb();

  const report = {
    server: fromSource ? 'from source (tsx)' : 'bundled (compiled JavaScript)',
    workers: workerTotal,
    tasksSent: taskTotal,
    eventsSent: sent,
    eventsDroppedBySender: dropped,
    feedSeconds: +feedSeconds.toFixed(1),
    eventsPerSecond: Math.round(sent / feedSeconds),
    tasksInMemory: final.tasks.inMemory,
    workersOnlineOnPage: onlineRows,
    serverRssMB: mb(final.memory.rss),
    serverPeakRssMB: mb(Math.max(peakRss, final.memory.rss)),
    serverHeapUsedMB: mb(final.memory.heapUsed),
    pageJsHeapUsedMB: +(heap / 1024 / 1024).toFixed(1),
    pageJsHeapTotalMB: +(heapTotal / 1024 / 1024).toFixed(1),
    pageLoadMs: Math.round(pageLoadMs),
    tasksApiMs: stats(apiTimes),
    pageSearchMs: stats(searchTimes),
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

await main();
