/** `q status`: pings the workers and lists those that reply (Celery's `celery status`). */
import { Command } from 'commander';
import { commandContext } from '../context.js';
import type { CommandContext, RunState } from '../context.js';
import type { CliIo } from '../io.js';
import { connectBroker, controlOptions, finishReplies, withRemoteOptions, type RemoteCommandOptions } from './remote-options.js';

/** Creates the `status` subcommand. */
export function statusCommand(io: CliIo, run: RunState): Command {
  const command = new Command('status')
    .description('list the workers that answer a ping: "->  <node>: OK" each, then "N nodes online."')
    .addHelpText('after', '\nExits 69 when no node replies within --timeout.');
  return withRemoteOptions(command).action(async (options: RemoteCommandOptions, cmd: Command) => {
    await runStatus(commandContext(cmd, io, run), options);
  });
}

/** Loads the app, pings the workers and prints one line per node that replied, then the count. */
export async function runStatus(ctx: CommandContext, options: RemoteCommandOptions): Promise<void> {
  const app = await ctx.loadApp();
  try {
    await connectBroker(ctx, app, 'status', options);
    const replies = await app.control.inspect(controlOptions(ctx, options, false)).ping();
    finishReplies(ctx, replies, options);
  } finally {
    await app.close();
  }
}
