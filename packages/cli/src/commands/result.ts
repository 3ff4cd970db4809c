/** `q result <id>`: waits for a task's result and prints it as JSON; a failure prints the remote error. */
import { Command } from 'commander';
import { RemoteError } from '@q/core';
import { commandContext } from '../context.js';
import type { CommandContext, RunState } from '../context.js';
import type { CliIo } from '../io.js';
import { parseSeconds } from '../parse.js';

/** Options of `q result`, as parsed. */
export interface ResultCommandOptions {
  timeout?: number;
}

/** Creates the `result` subcommand. */
export function resultCommand(io: CliIo, run: RunState): Command {
  return new Command('result')
    .description('wait for a task result and print it as JSON')
    .argument('<id>', 'task id (printed by `q call`)')
    .option('-t, --timeout <seconds>', 'give up after this many seconds (default: wait forever)', (v) =>
      parseSeconds('--timeout', v),
    )
    .action(async (id: string, options: ResultCommandOptions, cmd: Command) => {
      await runResult(commandContext(cmd, io, run), id, options);
    });
}

/**
 * Prints the result as JSON (last stdout line). On FAILURE prints `Type: message` to stdout, the remote
 * traceback to stderr, and sets exit code 1. A timeout throws core's `TimeoutError`.
 */
export async function runResult(ctx: CommandContext, id: string, options: ResultCommandOptions): Promise<void> {
  const app = await ctx.loadApp();
  try {
    const result = app.asyncResult(id);
    const getOptions = options.timeout === undefined ? { propagate: true } : { timeout: options.timeout, propagate: true };
    try {
      const value: unknown = await result.get(getOptions);
      ctx.print(JSON.stringify(value) ?? 'null');
    } catch (err) {
      if (!(err instanceof RemoteError)) throw err;
      if (err.remoteTraceback) ctx.io.stderr.write(err.remoteTraceback.endsWith('\n') ? err.remoteTraceback : `${err.remoteTraceback}\n`);
      ctx.print(err.message);
      ctx.run.exitCode = 1;
    }
  } finally {
    await app.close();
  }
}
