/**
 * How `q` finds plugins before it parses its command line (Celery reads `-A` first for the same reason: the app's
 * `user_options` shape the parser). The global options are read once with q's own program, leniently; when they name
 * an app (`-A`/`--app`), its module is imported and its plugins set up, so their commands and options can be added to
 * the program that then parses the line for real.
 */
import type { App } from '@q/core';
import type { Command } from 'commander';
import { createAppLogger, resolveOverrides } from '../context.js';
import type { GlobalOptions } from '../context.js';
import type { CliIo } from '../io.js';
import { loadApp } from '../load-app.js';
import { relayLogger } from './relay-logger.js';
import type { RelayLogger } from './relay-logger.js';

/** The global options as read before parsing, and the command they precede (a guess: the first operand). */
export interface ScannedLine {
  readonly globals: GlobalOptions;
  /** The first word that is not an option (`worker`, a plugin's `hello`), if any. */
  readonly command: string | undefined;
}

/** The app imported before parsing, with the relay its logger is. */
export interface PreloadedApp {
  readonly app: App;
  readonly logger: RelayLogger;
}

/**
 * Reads the global options of `argv` (`[node, script, ...args]`) with `base` (q's program without plugins) without
 * running anything. Unknown options (a plugin's) are passed over; `null` when the line does not parse (`--version`, a
 * bad value): the real parse then says why.
 */
export function scanLine(argv: readonly string[], base: Command): ScannedLine | null {
  try {
    const { operands } = base.parseOptions(argv.slice(2));
    return { globals: base.opts<GlobalOptions>(), command: operands[0] };
  } catch {
    return null;
  }
}

/**
 * Imports the app `line` names with `-A` (with the overrides of `-b`, `--result-backend`, `--embedded-dir` and their
 * environment variables, as a command would) and sets its plugins up; `null` without `-A`. The app's logger is a
 * relay to a logger like the command's until the command points it at its own. A `worker` line marks the import as
 * the consuming command's (a top-level `result.get()` fails at once).
 * @throws what loading the app throws (a missing file or export, a module that threw), and a plugin's setup error.
 */
export async function preloadApp(line: ScannedLine, io: CliIo): Promise<PreloadedApp | null> {
  const { globals } = line;
  if (globals.app === undefined) return null;
  const logger = relayLogger(createAppLogger(line.command ?? 'q', globals, io.stderr));
  const overrides = { ...resolveOverrides(globals, io.env, io.cwd), logger: logger.logger };
  const app = await loadApp({
    spec: globals.app,
    cwd: io.cwd,
    overrides,
    ...(line.command === 'worker' ? { consumingCommand: 'worker' } : {}),
  });
  await app.loadPlugins();
  return { app, logger };
}
