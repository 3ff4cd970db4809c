/**
 * `q worker`: prints the banner, starts a worker, and handles the signals of Celery's workers guide: warm stop
 * (SIGTERM/SIGINT), cold (SIGINT twice/SIGQUIT), restart (SIGHUP), dump of the running tasks (SIGUSR1).
 */
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import type { App } from '@q/core';
import { createWorker, expandNodeFormat, flushLogger, remoteShutdown } from '@q/worker';
import type { Worker, WorkerOptions } from '@q/worker';
import { METRICS_PLUGIN_NAME, metricsPlugin } from '@q/metrics';
import { renderBanner } from '../banner.js';
import type { BannerInfo } from '../banner.js';
import { commandContext, isDebug } from '../context.js';
import type { CommandContext, RunState } from '../context.js';
import type { CliIo } from '../io.js';
import { parseInteger, parseList, parseSeconds } from '../parse.js';
import { parseAutoscale } from '../parse-autoscale.js';
import { childAppSource } from '../child-app.js';
import { dumpRunningTasks } from '../dump-tasks.js';
import { openLogfile, switchableSink } from '../logfile.js';
import type { SwitchableSink } from '../logfile.js';
import { acquirePidfile } from '../pidfile.js';
import { watchShutdownSignals } from '../shutdown.js';
import type { ShutdownKind } from '../shutdown.js';
import { UsageError } from '../usage-error.js';
import { addEmbeddedBeatOptions, embeddedBeatOptions, startEmbeddedBeat } from './beat.js';
import type { BeatSchedulerOptions, EmbeddedBeat, EmbeddedBeatCommandOptions } from './beat.js';
import { purgeSummary } from './purge.js';
import { VERSION } from '../version.js';

/** Options of `q worker`, as parsed. */
export interface WorkerCommandOptions extends EmbeddedBeatCommandOptions {
  queues?: string[];
  concurrency?: number;
  /** `async`, `solo`, or a pool a plugin of the app registers (checked when the worker starts). */
  pool?: string;
  hostname?: string;
  prefetchMultiplier?: number;
  /** Path with `%n`, `%h`, `%d`, `%i`, `%I`, `%p` (expanded from the node name). */
  pidfile?: string;
  /** Queues not to consume (`-X`). */
  excludeQueues?: string[];
  /** `-O`: `fair` (one task per `prefork`/`threads` child at a time) or `default`. */
  optimization?: string;
  /** Purge the consumed queues before starting. */
  purge?: boolean;
  /** Log to this file (node-format expanded) instead of stderr. */
  logfile?: string;
  /** Default hard time limit of every task, seconds. */
  timeLimit?: number;
  /** Default soft time limit of every task, seconds. */
  softTimeLimit?: number;
  /** Replace a pool child after this many tasks. */
  maxTasksPerChild?: number;
  /** Replace a pool child past this many KiB of resident memory, after its task. */
  maxMemoryPerChild?: number;
  /** `[max, min]` pool children. */
  autoscale?: [number, number];
  /** State db: revoked ids and the logical clock kept across restarts (node-format expanded by the worker). */
  statedb?: string;
  /** `--without-mingle`: do not ask the other workers for revoked ids and the clock at start. */
  withoutMingle?: boolean;
  /** `--without-gossip`: do not follow the other workers' events. */
  withoutGossip?: boolean;
  /** `--without-heartbeat`: send no worker-online, heartbeat or worker-offline events. */
  withoutHeartbeat?: boolean;
  /** `--heartbeat-interval`: seconds between worker-heartbeat events (default 2). */
  heartbeatInterval?: number;
  /** `-E`: send task events (Celery's `-E`/`--task-events`). */
  taskEvents?: boolean;
  /** `--metrics-port`: serve Prometheus metrics (`@q/metrics`) on this port. */
  metricsPort?: number;
  /** `--metrics-host`: the address the metrics endpoint binds (default 127.0.0.1). */
  metricsHost?: string;
}

/** Creates the `worker` subcommand. */
export function workerCommand(io: CliIo, run: RunState): Command {
  const command = new Command('worker')
    .description('start a worker that consumes tasks')
    .option('-Q, --queues <list>', 'comma-separated queues to consume (default: every queue of task.queues, else the default queue)', (v) =>
      parseList('-Q/--queues', v),
    )
    .option('-X, --exclude-queues <list>', 'comma-separated queues not to consume', (v) => parseList('-X/--exclude-queues', v))
    .option('-c, --concurrency <n>', 'tasks run at once (default: what the pool declares: async 100, solo 1)', (v) =>
      parseInteger('-c/--concurrency', v, 1),
    )
    .option('-P, --pool <pool>', 'execution pool: async, solo, prefork, threads, or one a plugin of the app registers (default async)')
    .option('--time-limit <seconds>', 'hard time limit of every task: prefork/threads kill the child running it (a task option or the timelimit header wins)', (v) => parseSeconds('--time-limit', v))
    .option('--soft-time-limit <seconds>', "soft time limit of every task: its signal aborts with SoftTimeLimitExceeded", (v) => parseSeconds('--soft-time-limit', v))
    .option('--max-tasks-per-child <n>', 'prefork/threads: replace a child after it ran this many tasks', (v) => parseInteger('--max-tasks-per-child', v, 1))
    .option('--max-memory-per-child <KiB>', 'prefork/threads: replace a child after its task when it uses more than this many KiB', (v) => parseInteger('--max-memory-per-child', v, 1))
    .option('--autoscale <max,min>', 'prefork/threads: between min and max children, growing with queued work, shrinking when idle', (v) => parseAutoscale('--autoscale', v))
    .option('-n, --hostname <name>', 'node name; %h = host, %n = host name, %d = domain (default celery@%h)')
    .option('--prefetch-multiplier <n>', 'messages reserved per concurrency slot (default 4; 0 = unlimited)', (v) =>
      parseInteger('--prefetch-multiplier', v, 0),
    )
    .option('-O, --optimization <profile>', 'fair (default): a prefork/threads child holds one task at a time; default: a few, started in turn', parseOptimization)
    .option('--purge', 'purge the consumed queues before starting (prints how many messages were erased)')
    .option('--pidfile <path>', 'write the process id to this file while running (%n, %h, %d, %i, %I, %p expanded)')
    .option('--statedb <file>', 'keep revoked task ids and the logical clock in this file across restarts (%n, %h, %d, %i, %I, %p expanded)')
    .option('--without-mingle', "don't synchronize revoked task ids and the logical clock with the other workers at start")
    .option('-E, --task-events', 'send task events (task-received, task-started, task-succeeded, …) for monitors: q events, q dashboard, Flower')
    .option('--without-gossip', "don't follow the other workers' events (who is online)")
    .option('--without-heartbeat', "don't send worker-online, worker-heartbeat and worker-offline events")
    .option('--metrics-port <port>', 'serve Prometheus metrics at http://<metrics-host>:<port>/metrics (tasks by name and state, runtimes, queue lengths, prefetch, pool use)', (v) =>
      parseInteger('--metrics-port', v, 0),
    )
    .option('--metrics-host <address>', 'address the metrics endpoint binds (default 127.0.0.1)')
    .option('--heartbeat-interval <seconds>', 'seconds between worker-heartbeat events (default 2)', (v) => parseSeconds('--heartbeat-interval', v))
    .option('-f, --logfile <path>', 'log to this file, appending, instead of stderr (%n, %h, %d, %i, %I, %p expanded)');
  return addEmbeddedBeatOptions(command)
    .action(async (options: WorkerCommandOptions, cmd: Command) => {
      // Log lines go to stderr until `--logfile` is open (its name needs the node name, known once the app is loaded).
      const sink = switchableSink(io.stderr);
      await runWorker(commandContext(cmd, { ...io, stderr: sink }, run), options, sink);
    });
}

/**
 * Runs the worker until a shutdown signal; returns after it stopped and the pidfile is removed. A failure
 * (the broker unreachable once the connect retries are spent) closes the app and rejects.
 */
export async function runWorker(ctx: CommandContext, options: WorkerCommandOptions, logSink?: SwitchableSink): Promise<void> {
  const beatOptions = embeddedBeatOptions(options); // a usage error comes before the app is loaded
  // Until the worker's own handlers are in, SIGUSR1 must not open Node's inspector (its default).
  const early = (): void => ctx.logger.warn('SIGUSR1: the worker is still starting; no task runs yet');
  process.on('SIGUSR1', early);
  let closeLog = (): void => undefined;
  let kind: ShutdownKind | null = null;
  try {
    const app = await ctx.loadApp({ consuming: true });
    try {
      if (options.metricsPort !== undefined) await useMetrics(app, ctx, options.metricsPort, options.metricsHost);
      const childApp = childAppSource({ spec: ctx.globals.app, cwd: ctx.io.cwd, overrides: ctx.overrides });
      const worker = createWorker(app, { ...workerOptions(options), childApp, logger: ctx.logger });
      if (options.logfile !== undefined && logSink !== undefined) {
        const file = openLogfile(path.resolve(ctx.io.cwd, expandNodeFormat(options.logfile, worker.hostname)));
        logSink.switchTo(file);
        closeLog = () => {
          flushLogger(ctx.logger); // lines the logger still holds belong in the file
          logSink.reset();
          file.close();
        };
      }
      // The banner names the broker and backend as connected, so the app connects here (with its retries).
      ctx.io.stdout.write(renderBanner(await bannerInfo(app, worker, isDebug(ctx.globals))));
      if (options.purge === true) ctx.print(await purgeConsumed(app, worker));
      kind = await runUntilShutdown(ctx, worker, { pidfilePattern: options.pidfile, beat: beatOptions }, early);
    } finally {
      await app.close().catch((err: unknown) => ctx.logger.warn({ err }, 'worker: closing the app failed'));
    }
  } finally {
    process.off('SIGUSR1', early);
    closeLog();
  }
  if (kind === 'restart') restart(ctx);
}

/** SIGHUP: the worker stopped warm and released its pidfile; the same command starts again. */
function restart(ctx: CommandContext): void {
  const respawn = ctx.io.respawn;
  if (respawn === undefined) return;
  const pid = respawn();
  ctx.logger.warn(`worker: restarted as process ${pid ?? '?'}`);
}

/** What `runUntilShutdown` starts beside the worker: its pidfile, and with `-B` a scheduler. */
interface RunExtras {
  pidfilePattern: string | undefined;
  beat: BeatSchedulerOptions | null;
}

async function runUntilShutdown(ctx: CommandContext, worker: Worker, extras: RunExtras, early: () => void): Promise<ShutdownKind> {
  const { pidfilePattern } = extras;
  const pidfilePath = pidfilePattern === undefined ? undefined : expandNodeFormat(pidfilePattern, worker.hostname);
  const pidfile = pidfilePath === undefined ? null : acquirePidfile(path.resolve(ctx.io.cwd, pidfilePath));
  // As Celery, SIGHUP restarts only when the worker has no terminal (closing the terminal must not restart it in
  // the background); on a terminal it stops warm.
  const canRestart = ctx.io.respawn !== undefined && (ctx.io.stdout as { isTTY?: boolean }).isTTY !== true;
  let beat: EmbeddedBeat | null = null;
  // -B: the scheduler stops first (its state saved, its lock released), then the worker, as in Celery.
  const stoppable = {
    async stop(o: { graceful: boolean }) {
      try {
        await beat?.stop();
      } finally {
        await worker.stop(o);
      }
    },
  };
  const shutdown = watchShutdownSignals(stoppable, { logger: ctx.logger, canRestart, onDump: () => dumpRunningTasks(worker.hostname, ctx.logger) });
  process.off('SIGUSR1', early);
  try {
    await worker.start();
    if (extras.beat !== null) {
      beat = await startEmbeddedBeat(worker.app, extras.beat, ctx.io.cwd, ctx.logger).catch(async (err: unknown) => {
        await worker.stop({ graceful: true });
        throw err;
      });
    }
    // A remote `shutdown` (q control shutdown, celery control shutdown) stops the worker warm, as SIGTERM does.
    const kind = await Promise.race([shutdown.done, remoteShutdown(worker).then(() => 'warm' as const)]);
    await beat?.stop();
    ctx.logger.info({ shutdown: kind }, `${worker.hostname}: stopped`);
    ctx.run.exitCode = kind === 'cold' ? 1 : 0;
    return kind;
  } finally {
    shutdown.dispose();
    pidfile?.remove();
  }
}

/** `--purge`: erases the waiting messages of the queues the worker consumes; the line to print. */
async function purgeConsumed(app: App, worker: Worker): Promise<string> {
  const transport = await app.getTransport();
  const counts: [string, number][] = [];
  for (const queue of worker.options.queues) counts.push([queue, await transport.purge(queue)]);
  return `purge: ${purgeSummary(counts)}`;
}

/** `-O`: Celery's `fair` (one task per child at a time) or `default` (a child holds a few). */
function parseOptimization(value: string): string {
  if (value === 'fair' || value === 'default') return value;
  throw new UsageError(`-O/--optimization: expected fair or default, got ${JSON.stringify(value)}`);
}

/** The `createWorker` options given on the command line; the rest defaults to the app's `worker` config. */
export function workerOptions(options: WorkerCommandOptions): WorkerOptions<Worker> {
  const out: WorkerOptions<Worker> = {};
  if (options.queues !== undefined) out.queues = options.queues;
  if (options.excludeQueues !== undefined) out.excludeQueues = options.excludeQueues;
  if (options.concurrency !== undefined) out.concurrency = options.concurrency;
  if (options.pool !== undefined) out.pool = options.pool;
  if (options.hostname !== undefined) out.hostname = options.hostname;
  if (options.prefetchMultiplier !== undefined) out.prefetchMultiplier = options.prefetchMultiplier;
  if (options.timeLimit !== undefined) out.timeLimit = options.timeLimit;
  if (options.softTimeLimit !== undefined) out.softTimeLimit = options.softTimeLimit;
  if (options.maxTasksPerChild !== undefined) out.maxTasksPerChild = options.maxTasksPerChild;
  if (options.maxMemoryPerChild !== undefined) out.maxMemoryPerChild = options.maxMemoryPerChild;
  if (options.autoscale !== undefined) out.autoscale = options.autoscale;
  if (options.statedb !== undefined) out.statedb = options.statedb;
  if (options.optimization !== undefined) out.optimization = options.optimization as 'default' | 'fair';
  if (options.withoutMingle === true) out.mingle = false;
  if (options.withoutGossip === true) out.gossip = false;
  if (options.withoutHeartbeat === true) out.heartbeat = false;
  if (options.heartbeatInterval !== undefined) out.heartbeatInterval = options.heartbeatInterval;
  if (options.taskEvents === true) out.sendTaskEvents = true;
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

/** `--metrics-port`: `@q/metrics`' plugin serving on that port (an app that installs the plugin itself keeps its own). */
async function useMetrics(app: App, ctx: CommandContext, port: number, host: string | undefined): Promise<void> {
  if (app.plugins.has(METRICS_PLUGIN_NAME)) {
    ctx.logger.warn(`--metrics-port ${port}: the app installs ${METRICS_PLUGIN_NAME} itself; its own options apply`);
    return;
  }
  await app.use(metricsPlugin({ port, ...(host === undefined ? {} : { host }) }));
}
