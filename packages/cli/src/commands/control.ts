/** `q control <command> [args…]`: sends a command to the workers and prints their replies (Celery's `celery control`). */
import { Command } from 'commander';
import { commandContext } from '../context.js';
import type { CommandContext, RunState } from '../context.js';
import type { CliIo } from '../io.js';
import { commandArguments, commandsHelp, findCommand, knownCommands } from './remote-commands.js';
import { connectBroker, controlOptions, noReplies, withRemoteOptions, type RemoteCommandOptions } from './remote-options.js';

/** Creates the `control` subcommand. */
export function controlCommand(io: CliIo, run: RunState): Command {
  const command = new Command('control')
    .description('send a remote-control command to the workers and print their replies')
    .argument('<command>', 'the control command (see below)')
    .argument('[args...]', "the command's arguments")
    .addHelpText(
      'after',
      `\nCommands:\n${commandsHelp(knownCommands('control', []))}\n\n` +
        'plus the control commands the app\'s plugins register (api.controlCommand). Prints "->  <node>: OK" (or\n' +
        'ERROR) and the reply of each node; exits 69 when no node replies within --timeout (shutdown never replies).',
    );
  return withRemoteOptions(command).action(async (name: string, args: string[], options: RemoteCommandOptions, cmd: Command) => {
    await runControl(commandContext(cmd, io, run), name, args, options);
  });
}

/** Loads the app, broadcasts the control command `name` with replies wanted and prints them. */
export async function runControl(ctx: CommandContext, name: string, args: readonly string[], options: RemoteCommandOptions): Promise<void> {
  const app = await ctx.loadApp();
  try {
    await app.loadPlugins();
    const command = findCommand('control', name, knownCommands('control', app.plugins.controlCommands()));
    const argumentsSent = commandArguments(command, args);
    await connectBroker(ctx, app, 'control', options);
    const replies = await app.control.broadcast(command.name, { ...controlOptions(ctx, options, true), reply: true, arguments: argumentsSent });
    if (replies.length === 0) {
      noReplies(ctx);
      return;
    }
    if (options.json) ctx.print(JSON.stringify(replies));
  } finally {
    await app.close();
  }
}
