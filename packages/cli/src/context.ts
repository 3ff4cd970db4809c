/** What every command gets: the global options (flags over environment), the streams, a logger and the app. */
import path from 'node:path';
import type { App, Logger } from '@q/core';
import type { Command } from 'commander';
import type { CliIo } from './io.js';
import { loadApp } from './load-app.js';
import { createLogger } from './logger.js';
import type { LogFormat, LogLevel } from './logger.js';
import type { CliOverrides } from '@q/core/internal';

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
}

/** The context of one command invocation. */
export interface CommandContext {
  readonly io: CliIo;
  readonly run: RunState;
  readonly globals: GlobalOptions;
  /** Broker, backend and embedded directory from flags, else `Q_BROKER_URL`, `Q_RESULT_BACKEND`, `Q_EMBEDDED_DIR`. */
  readonly overrides: CliOverrides;
  readonly logger: Logger;
  /** Loads the `-A` module (or a default app). */
  loadApp(): Promise<App>;
  /** Writes a line to stdout. */
  print(line: string): void;
}

/** Builds the context of the command `cmd` (its global options are read from the root program). */
export function commandContext(cmd: Command, io: CliIo, run: RunState): CommandContext {
  const globals = cmd.optsWithGlobals<GlobalOptions>();
  const overrides = resolveOverrides(globals, io.env, io.cwd);
  const logger = createLogger({ level: globals.loglevel, format: globals.logFormat, sink: io.stderr, name: cmd.name() });
  // The app's logger when the module gives it none: the command's for `worker`; for the client commands, warnings
  // and errors only (connect retries show; notices such as the embedded-broker line do not clutter their output).
  const appLogger =
    cmd.name() === 'worker' ? logger : createLogger({ level: quieter(globals.loglevel, 'warn'), format: globals.logFormat, sink: io.stderr, name: cmd.name() });
  return {
    io,
    run,
    globals,
    overrides,
    logger,
    loadApp: () => loadApp({ spec: globals.app, cwd: io.cwd, overrides: { ...overrides, logger: appLogger } }),
    print: (line) => void io.stdout.write(`${line}\n`),
  };
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
