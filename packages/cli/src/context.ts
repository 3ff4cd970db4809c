/** What every command gets: the global options (flags over environment), the streams, a logger and the app. */
import path from 'node:path';
import type { App, Logger } from '@q/core';
import type { Command } from 'commander';
import type { CliIo } from './io.js';
import { loadApp } from './load-app.js';
import { createLogger } from './logger.js';
import type { LogFormat, LogLevel } from './logger.js';
import type { CliOverrides } from './overrides.js';

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
  return {
    io,
    run,
    globals,
    overrides,
    logger,
    loadApp: () => loadApp({ spec: globals.app, cwd: io.cwd, overrides }),
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
