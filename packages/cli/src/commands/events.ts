/**
 * `q events` (Celery's `celery events`): follows the cluster's events through a queue of its own on the event
 * exchange. `--dump` prints each event as a line, as `celery events --dump` does; `--camera <module>` hands a snapshot
 * of the cluster state to a camera every `--frequency` seconds (Celery's snapshot cameras); without either, a live
 * monitor draws the workers and the latest tasks in the terminal. SIGINT or SIGTERM (and `q` in the monitor) stop it
 * with exit 0.
 */
import { Command, Option } from 'commander';
import type { App } from '@q/core';
import { ClusterState, EventReceiver } from '@q/events';
import type { EventHandler } from '@q/events';
import { commandContext } from '../context.js';
import type { CommandContext, RunState } from '../context.js';
import type { CliIo } from '../io.js';
import { adapterUrl } from '../mask-url.js';
import { parseSeconds } from '../parse.js';
import type { SignalSource } from '../shutdown.js';
import { stopSignal } from '../stop-signal.js';
import { UsageError } from '../usage-error.js';
import { loadCamera, parseMaxrate, startShutter } from './event-camera.js';
import { DUMP_START_LINE, EventDumper } from './event-dump.js';

/** Options of `q events`, as parsed. */
export interface EventsCommandOptions {
  /** `-d/--dump`: print each event as a line. */
  dump?: boolean;
  /** `-c/--camera <module[:export]>`: the snapshot camera to run. */
  camera?: string;
  /** `-F/--frequency`: seconds between camera shutters (default 1). */
  frequency?: number;
  /** `-r/--maxrate`: at most this many shutters per second (parsed from `10/s`, `100/m`, `1000/h`). */
  maxrate?: number;
}


/** Creates the `events` subcommand. */
export function eventsCommand(io: CliIo, run: RunState): Command {
  return new Command('events')
    .description('follow the cluster\'s events: a live monitor, a dump of each event (--dump), or a snapshot camera (--camera)')
    .option('-d, --dump', 'print each event as a line, as celery events --dump does')
    .option('-c, --camera <module>', 'a module exporting a camera (a function, or an object with shutter(snapshot)); `file:export` picks the export')
    .option('-F, --frequency <seconds>', 'seconds between camera shutters (default 1.0)', (v) => parseFrequency(v))
    .addOption(new Option('-r, --maxrate <rate>', 'camera: at most this many shutters (10/s, 100/m, 1000/h)').argParser(parseMaxrate))
    .addHelpText('after', '\nWorkers send task events with -E (q worker -E); heartbeats are always sent. Stop with Ctrl-C (or q in the monitor).')
    .action(async (options: EventsCommandOptions, cmd: Command) => {
      await runEvents(commandContext(cmd, io, run), options);
    });
}

function parseFrequency(value: string): number {
  const seconds = parseSeconds('-F/--frequency', value);
  if (seconds <= 0) throw new UsageError(`-F/--frequency: expected a positive number of seconds, got ${JSON.stringify(value)}`);
  return seconds;
}

/** Runs `q events` until a stop signal (or `q` in the monitor); closes the receiver and the app on the way out. */
export async function runEvents(ctx: CommandContext, options: EventsCommandOptions, signals: SignalSource = process): Promise<void> {
  if (options.dump === true && options.camera !== undefined) throw new UsageError('--dump and --camera: choose one');
  // A camera module that cannot load is a usage error before anything connects.
  const camera = options.camera === undefined ? undefined : await loadCamera(options.camera, ctx.io.cwd);
  const app = await ctx.loadApp();
  let receiver: EventReceiver | undefined;
  try {
    if (options.dump === true) {
      const dumper = new EventDumper();
      receiver = startReceiver(app, ctx, (event) => ctx.print(dumper.format(event)));
      await receiver.start();
      // Listening for the stop signals before saying so: whoever reads the line may send one at once.
      const stopped = stopSignal(signals);
      // Once the queue is bound: every event after this line is printed.
      ctx.print(DUMP_START_LINE);
      await stopped;
      return;
    }
    const state = new ClusterState({ logger: ctx.logger });
    receiver = startReceiver(app, ctx, (event) => state.event(event));
    if (camera !== undefined) {
      await receiver.start();
      const stopped = stopSignal(signals);
      const frequency = options.frequency ?? 1;
      ctx.logger.info({ camera: options.camera, frequency }, `events: camera ${options.camera} every ${frequency} s`);
      const shutter = startShutter(camera, {
        snapshot: () => state.snapshot(),
        frequency,
        ...(options.maxrate === undefined ? {} : { maxrate: options.maxrate }),
        logger: ctx.logger,
      });
      try {
        await stopped;
      } finally {
        await shutter.stop();
      }
      return;
    }
    await receiver.start();
    await monitor(ctx, app, state, signals);
  } finally {
    await receiver?.stop();
    await app.close().catch((err: unknown) => ctx.logger.warn({ err }, 'events: closing the app failed'));
  }
}

function startReceiver(app: App, ctx: CommandContext, handler: EventHandler): EventReceiver {
  const { events } = app.conf;
  return new EventReceiver({
    transport: () => app.getTransport(),
    handlers: { '*': handler },
    topology: {
      eventExchange: events.exchange,
      eventQueuePrefix: events.queuePrefix,
      eventQueueExpires: events.queueExpires,
      eventQueueTtl: events.queueTtl,
    },
    logger: ctx.logger,
  });
}

/** Draws the monitor until `q`, Ctrl-C, SIGINT or SIGTERM. */
async function monitor(ctx: CommandContext, app: App, state: ClusterState, signals: SignalSource): Promise<void> {
  // ink is loaded only here: the other modes (and the other commands) do without it. ink draws only a last frame,
  // at exit, when it believes it runs in CI (`CI` or `CONTINUOUS_INTEGRATION` set, read when it loads); a monitor on a
  // terminal is for a person, so it is told otherwise.
  if ((ctx.io.stdout as NodeJS.WriteStream).isTTY === true) {
    delete process.env['CI'];
    delete process.env['CONTINUOUS_INTEGRATION'];
  }
  const { runMonitor } = await import('../events-tui/run-monitor.js');
  const transport = await app.getTransport();
  const screen = runMonitor({
    state,
    title: adapterUrl(transport.describe()),
    stdout: ctx.io.stdout as NodeJS.WriteStream,
    stdin: ctx.io.stdin as NodeJS.ReadStream,
  });
  const controller = new AbortController();
  const signalled = stopSignal(signals, controller.signal).then(() => screen.stop());
  await Promise.race([screen.exited, signalled]);
  controller.abort();
  screen.stop();
}

