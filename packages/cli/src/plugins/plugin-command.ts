/** Runs a plugin's `q` subcommand: builds its {@link CliCommandContext} and turns its outcome into the exit code. */
import type { App, CliCommandContext, CliCommandSpec } from '@q/core';
import type { Command } from 'commander';
import { commandContext } from '../context.js';
import type { RunState } from '../context.js';
import type { CliIo } from '../io.js';

/**
 * Calls `spec.action` with the parsed arguments (by name), the command's options, the global options, the app (loaded
 * on the first `loadApp()`, closed once the action is done), the streams and the command's logger. A returned integer
 * from 0 to 255 is the exit code; a throw is passed on (`runCli` prints it: `error: <message>`, exit 1).
 */
export async function runPluginCommand(spec: CliCommandSpec<unknown>, cmd: Command, io: CliIo, run: RunState): Promise<void> {
  const ctx = commandContext(cmd, io, run);
  const args: Record<string, unknown> = {};
  (spec.arguments ?? []).forEach((arg, i) => {
    args[arg.name] = cmd.processedArgs[i];
  });
  let app: Promise<App> | undefined;
  const context: CliCommandContext<App> = {
    command: spec.name,
    args,
    options: cmd.opts(),
    globals: { ...ctx.globals },
    loadApp: () => (app ??= ctx.loadApp()),
    stdout: { write: (text) => void io.stdout.write(text) },
    stderr: { write: (text) => void io.stderr.write(text) },
    logger: ctx.logger,
  };
  try {
    const outcome = await (spec as CliCommandSpec<App>).action(context);
    if (typeof outcome === 'number' && Number.isInteger(outcome) && outcome >= 0 && outcome <= 255) run.exitCode = outcome;
  } finally {
    if (app !== undefined) await app.then((loaded) => loaded.close(), () => undefined);
  }
}
