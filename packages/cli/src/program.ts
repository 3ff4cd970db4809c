/**
 * The `q` command line, shaped like `celery` 5: global options (`-A`, `-b`, `--result-backend`, `-l`) and the
 * subcommands `worker`, `beat`, `call`, `result`, `purge`, `cleanup`, `inspect`, `control`, `status` and `events`. Global options may be written before or after the
 * subcommand. Plugins add commands and global options (`api.cliCommand`, `api.cliOption`).
 */
import { Command, Option } from 'commander';
import { beatCommand } from './commands/beat.js';
import { callCommand } from './commands/call.js';
import { controlCommand } from './commands/control.js';
import { dashboardCommand } from './commands/dashboard.js';
import { eventsCommand } from './commands/events.js';
import { inspectCommand } from './commands/inspect.js';
import { purgeCommand } from './commands/purge.js';
import { cleanupCommand } from './commands/cleanup.js';
import { resultCommand } from './commands/result.js';
import { statusCommand } from './commands/status.js';
import { workerCommand } from './commands/worker.js';
import type { RunState } from './context.js';
import { processIo } from './io.js';
import type { CliIo } from './io.js';
import { parseLogFormat, parseLogLevel } from './logger.js';
import { addPluginExtensions } from './plugins/plugin-extensions.js';
import type { CliPluginSource } from './plugins/plugin-extensions.js';
import { VERSION } from './version.js';


/** Options of {@link createProgram}. */
export interface ProgramOptions {
  /**
   * Where plugins' commands and global options come from: `app.plugins` of an app whose `loadPlugins()` resolved, or
   * any `PluginHost`. `runCli` passes the `-A` app's.
   */
  plugins?: readonly CliPluginSource[];
}

/**
 * Creates the `q` program. Commander's own exits are turned into thrown `CommanderError`s (see `runCli`);
 * its messages go to `io`. `run.exitCode` is set by commands that fail without throwing.
 * @throws PluginError `Q_ERR_CLI_CLASH` when a plugin's command or option clashes with q's own or another plugin's.
 */
export function createProgram(io: CliIo = processIo(), run: RunState = { exitCode: 0 }, options: ProgramOptions = {}): Command {
  const program = new Command('q');
  program
    .description('q: distributed task queue, wire-compatible with Python Celery')
    .version(VERSION, '--version', 'print the version and exit')
    .helpOption('-h, --help', 'show help')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => void io.stdout.write(text),
      writeErr: (text) => void io.stderr.write(text),
    })
    .showHelpAfterError('(run with --help for usage)')
    .option('-A, --app <module>', 'module exporting `app` (a .ts, .js or .mjs file; `file:export` picks another export)')
    .option('-b, --broker <url>', 'broker URL (env Q_BROKER_URL)')
    .option('--result-backend <url>', 'result backend URL (env Q_RESULT_BACKEND)')
    .option('--embedded-dir <path>', 'directory of the embedded broker and backend (env Q_EMBEDDED_DIR)')
    .addOption(
      new Option('-l, --loglevel <level>', 'log level: trace, debug, info, warning, error, critical')
        .default('info')
        .argParser(parseLogLevel),
    )
    .addOption(new Option('--log-format <format>', 'log line format: text or json').default('text').argParser(parseLogFormat))
    .addHelpText(
      'after',
      '\nGlobal options may also follow the command: q worker -A tasks.ts -l debug' +
        "\nPlugins add commands and options: q -A tasks.ts --help lists those of the app's plugins",
    );

  const commands = [
    workerCommand(io, run),
    beatCommand(io, run),
    callCommand(io, run),
    resultCommand(io, run),
    purgeCommand(io, run),
    cleanupCommand(io, run),
    inspectCommand(io, run),
    controlCommand(io, run),
    statusCommand(io, run),
    eventsCommand(io, run),
    dashboardCommand(io, run),
  ];
  for (const command of commands) {
    program.addCommand(command.copyInheritedSettings(program));
  }
  addPluginExtensions(program, options.plugins ?? [], io, run);
  return program;
}
