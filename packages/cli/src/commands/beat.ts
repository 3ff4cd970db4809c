/**
 * `q beat`: Celery's `celery beat`. Loads the app, prints a banner, and runs `@q/beat`'s scheduler until SIGTERM or
 * SIGINT, which stop it cleanly (the state saved, the lock released). `q worker -B` runs the same scheduler inside
 * the worker ({@link startEmbeddedBeat}).
 */
import path from 'node:path';
import { Command } from 'commander';
import type { App, Logger } from '@q/core';
import { createBeat } from '@q/beat';
import { flushLogger } from '@q/worker';
import type { Beat, BeatOptions } from '@q/beat';
import { renderBeatBanner } from '../beat-banner.js';
import type { BeatBannerInfo } from '../beat-banner.js';
import { commandContext } from '../context.js';
import type { CommandContext, RunState } from '../context.js';
import type { CliIo } from '../io.js';
import { openLogfile, switchableSink } from '../logfile.js';
import type { SwitchableSink } from '../logfile.js';
import { parseSeconds } from '../parse.js';
import { acquirePidfile } from '../pidfile.js';
import type { Pidfile } from '../pidfile.js';
import type { SignalSource } from '../shutdown.js';
import { UsageError } from '../usage-error.js';
import { VERSION } from '../version.js';

/** The scheduler options of `q beat` and `q worker -B`, as parsed. */
export interface BeatSchedulerOptions {
  /** `-s`: the state file (Celery's `--schedule`, the shelve file). */
  schedule?: string;
  /** `--store`: where the state is kept, a URL (`redis://…`, `postgresql://…`) or a file path. */
  store?: string;
  /** `--lock`: the lock URL that lets several beats run with one sending. */
  lock?: string;
  /** `--max-interval`: seconds the scheduler sleeps at most between checks. */
  maxInterval?: number;
}

/** Options of `q beat`, as parsed. */
export interface BeatCommandOptions extends BeatSchedulerOptions {
  /** Write the process id to this file while running. */
  pidfile?: string;
  /** Log to this file, appending, instead of stderr. */
  logfile?: string;
}

/** Creates the `beat` subcommand. */
export function beatCommand(io: CliIo, run: RunState): Command {
  return new Command('beat')
    .description('start the periodic task scheduler: sends the entries of beat.schedule when they are due')
    .option('-s, --schedule <file>', 'file keeping the last run times of the entries (default: beat.store, else beat.scheduleFilename)')
    .option('--store <url>', 'keep the state on a server instead (redis://…, postgresql://…), or in a file (a path)')
    .option('--lock <url>', 'lock (redis://…, postgresql://…) that lets several beats run with exactly one sending (default: none, one beat)')
    .option('--max-interval <seconds>', 'longest sleep between two checks of the schedule (default beat.maxLoopInterval, 300)', (v) =>
      positiveSeconds('--max-interval', v),
    )
    .option('--pidfile <path>', 'write the process id to this file while running')
    .option('-f, --logfile <path>', 'log to this file, appending, instead of stderr')
    .action(async (options: BeatCommandOptions, cmd: Command) => {
      const sink = switchableSink(io.stderr);
      await runBeat(commandContext(cmd, { ...io, stderr: sink }, run), options, sink);
    });
}

/** Adds `-B/--beat` and the scheduler's options to `q worker` (Celery's embedded beat). */
export function addEmbeddedBeatOptions(command: Command): Command {
  return command
    .option('-B, --beat', 'also run the periodic task scheduler in this process (run one such worker, or give every one --lock)')
    .option('-s, --schedule-filename <file>', '-B: file keeping the last run times of the entries')
    .option('--beat-store <url>', '-B: keep the beat state on a server (redis://…, postgresql://…), or in a file')
    .option('--beat-lock <url>', '-B: lock that lets several beats run with exactly one sending')
    .option('--beat-max-interval <seconds>', '-B: longest sleep between two checks of the schedule', (v) => positiveSeconds('--beat-max-interval', v));
}

/** `q worker`'s `-B` options, as parsed. */
export interface EmbeddedBeatCommandOptions {
  beat?: boolean;
  scheduleFilename?: string;
  beatStore?: string;
  beatLock?: string;
  beatMaxInterval?: number;
}

/** `q worker`'s `-B` options as those of `q beat`; `null` without `-B` (a scheduler option alone is an error). */
export function embeddedBeatOptions(options: EmbeddedBeatCommandOptions): BeatSchedulerOptions | null {
  const out: BeatSchedulerOptions = {};
  if (options.scheduleFilename !== undefined) out.schedule = options.scheduleFilename;
  if (options.beatStore !== undefined) out.store = options.beatStore;
  if (options.beatLock !== undefined) out.lock = options.beatLock;
  if (options.beatMaxInterval !== undefined) out.maxInterval = options.beatMaxInterval;
  if (options.beat === true) return out;
  if (Object.keys(out).length > 0) throw new UsageError('-s, --beat-store, --beat-lock and --beat-max-interval need -B/--beat');
  return null;
}

/**
 * The `createBeat` options given on the command line (the rest comes from the app's `beat` config). A relative
 * state file is resolved from `cwd`.
 * @throws UsageError when both `-s` and `--store` are given
 */
export function beatOptions(options: BeatSchedulerOptions, cwd: string, logger: Logger): BeatOptions {
  if (options.schedule !== undefined && options.store !== undefined) {
    throw new UsageError('-s/--schedule and --store both say where the state is kept: give one');
  }
  const out: BeatOptions = { logger };
  const store = options.store ?? options.schedule;
  if (store !== undefined) out.store = isUrl(store) ? store : path.resolve(cwd, store);
  if (options.lock !== undefined) out.lock = options.lock;
  if (options.maxInterval !== undefined) out.maxLoopInterval = options.maxInterval;
  return out;
}

/**
 * Runs `q beat` until SIGTERM or SIGINT; returns once the scheduler stopped (state saved, lock released), the app
 * closed and the pidfile removed.
 */
export async function runBeat(ctx: CommandContext, options: BeatCommandOptions, logSink?: SwitchableSink): Promise<void> {
  let closeLog = (): void => undefined;
  if (options.logfile !== undefined && logSink !== undefined) {
    const file = openLogfile(path.resolve(ctx.io.cwd, options.logfile));
    logSink.switchTo(file);
    closeLog = () => {
      flushLogger(ctx.logger); // lines the logger still holds belong in the file
      logSink.reset();
      file.close();
    };
  }
  try {
    const app = await ctx.loadApp();
    try {
      const resolved = beatOptions(options, ctx.io.cwd, ctx.logger);
      const beat = createBeat(app, resolved);
      const stopped = stopOnSignal(beat, ctx.logger);
      let pidfile: Pidfile | null = null;
      try {
        await app.connect(); // the banner names the transport as connected
        ctx.io.stdout.write(renderBeatBanner(await beatBannerInfo(app, beat, resolved)));
        pidfile = options.pidfile === undefined ? null : acquirePidfile(path.resolve(ctx.io.cwd, options.pidfile));
        await beat.start();
        if (stopped.requested()) await beat.stop(); // a signal while it started: stop what started
        await stopped.done;
        ctx.logger.info('beat: stopped');
      } finally {
        stopped.dispose();
        // after a failed start too: the store and lock it opened are closed (a no-op once stopped)
        await beat.stop().catch((err: unknown) => ctx.logger.warn({ err }, 'beat: stopping failed'));
        pidfile?.remove();
      }
    } finally {
      await app.close().catch((err: unknown) => ctx.logger.warn({ err }, 'beat: closing the app failed'));
    }
  } finally {
    closeLog();
  }
}

/** A scheduler started inside a worker (`q worker -B`). */
export interface EmbeddedBeat {
  /** Stops it (state saved, lock released); a second call waits for the first. */
  stop(): Promise<void>;
}

/** Starts a scheduler on `app` inside the worker process (Celery's embedded beat, `celery worker -B`). */
export async function startEmbeddedBeat(app: App, options: BeatSchedulerOptions, cwd: string, logger: Logger): Promise<EmbeddedBeat> {
  const beat = createBeat(app, beatOptions(options, cwd, logger));
  await beat.start();
  logger.info(`beat: started in this worker (${beat.entries().length} entries)`);
  let stopping: Promise<void> | null = null;
  return { stop: () => (stopping ??= beat.stop()) };
}

/** Installed handlers of {@link stopOnSignal}. */
export interface BeatSignalWatch {
  /** Settles once the scheduler stopped; rejects when its `stop()` fails. */
  readonly done: Promise<void>;
  /** Whether a signal asked it to stop. */
  requested(): boolean;
  /** Removes the handlers. */
  dispose(): void;
}

/** The signals that stop `q beat`: SIGTERM and SIGINT stop it cleanly; a second one stops waiting. */
export function stopOnSignal(beat: Pick<Beat, 'stop'>, logger: Logger, source: SignalSource = process): BeatSignalWatch {
  let stopping = false;
  let settle!: () => void;
  let fail!: (err: unknown) => void;
  const done = new Promise<void>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  const handler = (signal: NodeJS.Signals) => () => {
    if (stopping) {
      logger.warn({ signal }, 'beat: stopping without waiting for the state to be saved');
      settle();
      return;
    }
    stopping = true;
    logger.info({ signal }, 'beat: shutting down (saving the state, releasing the lock)');
    beat.stop().then(settle, fail);
  };
  const handlers = { SIGTERM: handler('SIGTERM'), SIGINT: handler('SIGINT') };
  for (const [signal, listener] of Object.entries(handlers)) source.on(signal as NodeJS.Signals, listener);
  return {
    done,
    requested: () => stopping,
    dispose() {
      for (const [signal, listener] of Object.entries(handlers)) source.off(signal as NodeJS.Signals, listener);
    },
  };
}

/** The banner's facts: the store and lock as configured (the `beat: starting` line names them as resolved). */
async function beatBannerInfo(app: App, beat: Beat, options: BeatOptions): Promise<BeatBannerInfo> {
  const transport = await app.getTransport();
  const { conf } = app;
  const store = options.store ?? conf.beat.store ?? conf.beat.scheduleFilename;
  const lock = options.lock ?? conf.beat.lock;
  return {
    version: VERSION,
    appName: app.name,
    transport: transport.describe(),
    store: typeof store === 'string' ? store : store.describe(),
    lock: lock === null ? 'none (one beat sends)' : typeof lock === 'string' ? lock : lock.describe(),
    maxInterval: options.maxLoopInterval ?? conf.beat.maxLoopInterval,
    entries: beat.entries().map((entry) => ({ name: entry.name, task: entry.task, schedule: entry.schedule.describe() })),
  };
}

function isUrl(value: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(value);
}

function positiveSeconds(option: string, value: string): number {
  const seconds = parseSeconds(option, value);
  if (seconds === 0) throw new UsageError(`${option}: expected a positive number of seconds, got ${JSON.stringify(value)}`);
  return seconds;
}
