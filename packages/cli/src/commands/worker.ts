/** `q worker`: prints the banner, starts a worker, and stops it warm (SIGTERM/SIGINT) or cold (SIGINT twice/SIGQUIT). */
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import type { App } from '@q/core';
import { createWorker } from '@q/worker';
import type { Worker, WorkerOptions } from '@q/worker';
import { renderBanner } from '../banner.js';
import type { BannerInfo } from '../banner.js';
import { commandContext, isDebug } from '../context.js';
import type { CommandContext, RunState } from '../context.js';
import type { CliIo } from '../io.js';
import { parseInteger, parseList } from '../parse.js';
import { acquirePidfile } from '../pidfile.js';
import { watchShutdownSignals } from '../shutdown.js';
import { VERSION } from '../version.js';

/** Options of `q worker`, as parsed. */
export interface WorkerCommandOptions {
  queues?: string[];
  concurrency?: number;
  /** `async`, `solo`, or a pool a plugin of the app registers (checked when the worker starts). */
  pool?: string;
  hostname?: string;
  prefetchMultiplier?: number;
  pidfile?: string;
}

/** Creates the `worker` subcommand. */
export function workerCommand(io: CliIo, run: RunState): Command {
  return new Command('worker')
    .description('start a worker that consumes tasks')
    .option('-Q, --queues <list>', 'comma-separated queues to consume (default: the default queue)', (v) =>
      parseList('-Q/--queues', v),
    )
    .option('-c, --concurrency <n>', 'tasks run at once (default: what the pool declares: async 100, solo 1)', (v) =>
      parseInteger('-c/--concurrency', v, 1),
    )
    .option('-P, --pool <pool>', 'execution pool: async, solo, or one a plugin of the app registers (default async)')
    .option('-n, --hostname <name>', 'node name; %h = host, %n = host name, %d = domain (default celery@%h)')
    .option('--prefetch-multiplier <n>', 'messages reserved per concurrency slot (default 4)', (v) =>
      parseInteger('--prefetch-multiplier', v, 1),
    )
    .option('--pidfile <path>', 'write the process id to this file while running')
    .action(async (options: WorkerCommandOptions, cmd: Command) => {
      await runWorker(commandContext(cmd, io, run), options);
    });
}

/**
 * Runs the worker until a shutdown signal; returns after it stopped and the pidfile is removed. A failure
 * (the broker unreachable once the connect retries are spent) closes the app and rejects.
 */
export async function runWorker(ctx: CommandContext, options: WorkerCommandOptions): Promise<void> {
  const app = await ctx.loadApp({ consuming: true });
  try {
    const worker = createWorker(app, { ...workerOptions(options), logger: ctx.logger });
    // The banner names the broker and backend as connected, so the app connects here (with its retries).
    ctx.io.stdout.write(renderBanner(await bannerInfo(app, worker, isDebug(ctx.globals))));
    await runUntilShutdown(ctx, worker, options.pidfile);
  } finally {
    await app.close().catch((err: unknown) => ctx.logger.warn({ err }, 'worker: closing the app failed'));
  }
}

async function runUntilShutdown(ctx: CommandContext, worker: Worker, pidfilePath: string | undefined): Promise<void> {
  const pidfile = pidfilePath === undefined ? null : acquirePidfile(path.resolve(ctx.io.cwd, pidfilePath));
  const shutdown = watchShutdownSignals(worker, { logger: ctx.logger });
  try {
    await worker.start();
    const kind = await shutdown.done;
    ctx.logger.info({ shutdown: kind }, `${worker.hostname}: stopped`);
    ctx.run.exitCode = kind === 'warm' ? 0 : 1;
  } finally {
    shutdown.dispose();
    pidfile?.remove();
  }
}

/** The `createWorker` options given on the command line; the rest defaults to the app's `worker` config. */
export function workerOptions(options: WorkerCommandOptions): WorkerOptions<Worker> {
  const out: WorkerOptions<Worker> = {};
  if (options.queues !== undefined) out.queues = options.queues;
  if (options.concurrency !== undefined) out.concurrency = options.concurrency;
  if (options.pool !== undefined) out.pool = options.pool;
  if (options.hostname !== undefined) out.hostname = options.hostname;
  if (options.prefetchMultiplier !== undefined) out.prefetchMultiplier = options.prefetchMultiplier;
  return out;
}

async function bannerInfo(app: App, worker: Worker, debug: boolean): Promise<BannerInfo> {
  await app.connect(); // broker and backend together: when one fails, the other stops retrying
  const transport = await app.getTransport();
  const backend = await app.getBackend();
  const { poolName, concurrency, prefetchMultiplier, queues } = worker.options;
  return {
    hostname: worker.hostname,
    version: VERSION,
    platform: `${os.platform()}-${os.arch()} node ${process.version}`,
    appName: app.name,
    transport: transport.describe(),
    results: backend === null ? null : backend.describe(),
    pool: poolName,
    concurrency,
    prefetchMultiplier,
    queues,
    tasks: app.tasks.names().filter((name) => debug || !name.startsWith('celery.')),
  };
}
