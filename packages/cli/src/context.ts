/** What every command gets: the global options (flags over environment), the streams, a logger and the app. */
import path from 'node:path';
import type { App, Logger } from '@q/core';
import type { Command } from 'commander';
import { watchConnectRetries } from './connect-timeout.js';
import type { ConnectRetries } from './connect-timeout.js';
import type { CliIo, TextSink } from './io.js';
import { loadApp } from './load-app.js';
import type { LoadAppOptions } from './load-app.js';
import { createLogger } from './logger.js';
import { flushLogger } from '@q/worker';
import { EVENTS_PLUGIN_NAME, eventsPlugin } from '@q/events';
import type { LogFormat, LogLevel } from './logger.js';
import type { CliOverrides } from '@q/core/internal';
import type { RelayLogger } from './plugins/relay-logger.js';

/** Options accepted before or after any command. */
export interface GlobalOptions {
  app?: string;
  broker?: string;
  resultBackend?: string;
  embeddedDir?: string;
  loglevel: LogLevel;
  logFormat: LogFormat;
}

/** Mutable outcome of one run; commands set `exitCode` when they fail without throwing. */
export interface RunState {
  exitCode: number;
  /**
   * The logger of the `-A` app `runCli` imported before parsing (to add its plugins' commands): the command that
   * loads the app points it at its own.
   */
  appLogger?: RelayLogger;
}

/** The context of one command invocation. */
export interface CommandContext {
  readonly io: CliIo;
  readonly run: RunState;
  readonly globals: GlobalOptions;
  /** Broker, backend and embedded directory from flags, else `Q_BROKER_URL`, `Q_RESULT_BACKEND`, `Q_EMBEDDED_DIR`. */
  readonly overrides: CliOverrides;
  readonly logger: Logger;
  /** The connect retries of an app logging through the CLI's logger (for `--connect-timeout`'s message). */
  readonly connectRetries: ConnectRetries;
  /**
   * Loads the `-A` module (or a default app; a one-shot command then says at `info` that it uses the embedded
   * broker or backend in `./.q`). `consuming`: the command starts consuming only after the import (`worker`).
   */
  loadApp(options?: { consuming?: boolean }): Promise<App>;
  /** Writes a line to stdout. */
  print(line: string): void;
}

/** The loggers of the commands run so far that may still hold lines ({@link flushCommandLoggers}). */
const commandLoggers = new Set<Logger>();

/**
 * Writes out what the commands' loggers still hold (the text logger writes once per event-loop turn); `runCli`
 * calls it when a command ends, so its last lines come before an error line and before `runCli` returns.
 */
export function flushCommandLoggers(): void {
  for (const logger of commandLoggers) flushLogger(logger);
  commandLoggers.clear();
}

/** Builds the context of the command `cmd` (its global options are read from the root program). */
export function commandContext(cmd: Command, io: CliIo, run: RunState): CommandContext {
  const globals = cmd.optsWithGlobals<GlobalOptions>();
  const overrides = resolveOverrides(globals, io.env, io.cwd);
  const logger = createLogger({ level: globals.loglevel, format: globals.logFormat, sink: io.stderr, name: cmd.name() });
  commandLoggers.add(logger);
  // The app's logger when the module gives it none: the command's for `worker`; for the client commands, warnings
  // and errors only (connect retries show; core's notices do not clutter their output, and a default app's use of
  // ./.q is said by the command itself, with how to choose another). Connect retries are remembered on the way.
  const appLogger = createAppLogger(cmd.name(), globals, io.stderr, logger);
  const connectRetries = watchConnectRetries(appLogger);
  const appOverrides: CliOverrides = { ...overrides, logger: connectRetries.logger };
  return {
    io,
    run,
    globals,
    overrides,
    logger,
    connectRetries,
    loadApp: ({ consuming = false } = {}) => {
      const notice = globals.app === undefined ? embeddedDefaultNotice(cmd.name(), overrides, io.cwd) : null;
      if (notice !== null) logger.info(notice);
      const options: LoadAppOptions = { spec: globals.app, cwd: io.cwd, overrides: appOverrides };
      if (consuming) options.consumingCommand = cmd.name();
      return loadApp(options).then((app) => {
        run.appLogger?.setTarget(connectRetries.logger);
        return withEvents(app);
      });
    },
    print: (line) => void io.stdout.write(`${line}\n`),
  };
}

/**
 * The logger of an app loaded for the command `name` when its module gives it none: for `worker`, the command's own
 * (`commandLogger`, else one like it); for the others, one at `warn` or quieter.
 */
export function createAppLogger(name: string, globals: Pick<GlobalOptions, 'loglevel' | 'logFormat'>, sink: TextSink, commandLogger?: Logger): Logger {
  if ((name === 'worker' || name === 'beat') && commandLogger !== undefined) return commandLogger;
  const level = name === 'worker' ? globals.loglevel : quieter(globals.loglevel, 'warn');
  const logger = createLogger({ level, format: globals.logFormat, sink, name });
  commandLoggers.add(logger);
  return logger;
}

/** What each one-shot command uses of a default app (no `-A`): where it sends to, or reads results from. */
const DEFAULT_APP_USES: Readonly<Record<string, 'broker' | 'backend'>> = {
  call: 'broker',
  purge: 'broker',
  result: 'backend',
  inspect: 'broker',
  control: 'broker',
  status: 'broker',
  beat: 'broker',
  events: 'broker',
  dashboard: 'broker',
};

/**
 * The line a one-shot command logs when, without `-A`, a broker or backend flag or environment variable, it uses
 * (and creates) the embedded broker or result backend under `./.q`; `null` otherwise (`--embedded-dir` or
 * `Q_EMBEDDED_DIR` chose the folder).
 */
export function embeddedDefaultNotice(command: string, overrides: CliOverrides, cwd: string): string | null {
  const uses = DEFAULT_APP_USES[command];
  if (uses === undefined || overrides.embeddedDir !== undefined) return null;
  const folder = path.join(cwd, '.q');
  if (uses === 'broker' && overrides.broker === undefined) {
    return `no -A, -b or Q_BROKER_URL: ${command} uses the embedded broker in ${folder} (created if missing); ` +
      'choose another folder with --embedded-dir (or Q_EMBEDDED_DIR), or a broker with -b (or Q_BROKER_URL)';
  }
  if (uses === 'backend' && overrides.backend === undefined) {
    return `no -A, --result-backend or Q_RESULT_BACKEND: ${command} reads results from the embedded result backend in ${folder} ` +
      '(created if missing); choose another folder with --embedded-dir (or Q_EMBEDDED_DIR), or a backend with ' +
      '--result-backend (or Q_RESULT_BACKEND)';
  }
  return null;
}

/**
 * Flags win over the environment; empty environment variables count as unset. A relative embedded directory
 * is resolved from `cwd`.
 */
export function resolveOverrides(
  globals: Pick<GlobalOptions, 'broker' | 'resultBackend' | 'embeddedDir'>,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): CliOverrides {
  const pick = (flag: string | undefined, name: string) => flag ?? (env[name] ? env[name] : undefined);
  const overrides: CliOverrides = {};
  const broker = pick(globals.broker, 'Q_BROKER_URL');
  const backend = pick(globals.resultBackend, 'Q_RESULT_BACKEND');
  const embeddedDir = pick(globals.embeddedDir, 'Q_EMBEDDED_DIR');
  if (broker !== undefined) overrides.broker = broker;
  if (backend !== undefined) overrides.backend = backend;
  if (embeddedDir !== undefined) overrides.embeddedDir = path.resolve(cwd, embeddedDir);
  return overrides;
}

/** True when errors should be printed with their stacks (`-l debug` or `-l trace`). */
export function isDebug(globals: Pick<GlobalOptions, 'loglevel'>): boolean {
  return globals.loglevel === 'debug' || globals.loglevel === 'trace';
}

const LEVEL_ORDER: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/** The less verbose of two levels. */
function quieter(a: LogLevel, b: LogLevel): LogLevel {
  return LEVEL_ORDER.indexOf(a) >= LEVEL_ORDER.indexOf(b) ? a : b;
}

/**
 * The app with `@q/events`' plugin (unless it has it already): a `q worker` sends heartbeats and, with `-E`, task
 * events, as a Celery worker does; a client with `task.sendSentEvent` sends `task-sent`.
 */
async function withEvents(app: App): Promise<App> {
  await app.loadPlugins();
  if (!app.plugins.has(EVENTS_PLUGIN_NAME)) await app.use(eventsPlugin());
  return app;
}
