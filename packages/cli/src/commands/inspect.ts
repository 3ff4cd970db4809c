/** `q inspect <command> [args…]`: asks the workers a question and prints their replies (Celery's `celery inspect`). */
import { Command } from 'commander';
import { commandContext } from '../context.js';
import type { CommandContext, RunState } from '../context.js';
import type { CliIo } from '../io.js';
import { commandArguments, commandsHelp, findCommand, knownCommands } from './remote-commands.js';
import { connectBroker, controlOptions, finishReplies, withRemoteOptions, type RemoteCommandOptions } from './remote-options.js';

/** Creates the `inspect` subcommand. */
export function inspectCommand(io: CliIo, run: RunState): Command {
  const command = new Command('inspect')
    .description('inspect the workers: print their replies to an inspect command')
    .argument('<command>', 'the inspect command (see below)')
    .argument('[args...]', "the command's arguments")
    .addHelpText(
      'after',
      `\nCommands:\n${commandsHelp(knownCommands('inspect', []))}\n\n` +
        'plus the inspect commands the app\'s plugins register (api.inspectCommand). Prints "->  <node>: OK" and the\n' +
        'reply of each node, then "N nodes online."; exits 69 when no node replies within --timeout.',
    );
  return withRemoteOptions(command).action(async (name: string, args: string[], options: RemoteCommandOptions, cmd: Command) => {
    await runInspect(commandContext(cmd, io, run), name, args, options);
  });
}

/** Loads the app, sends the inspect command `name` and prints the merged replies. */
export async function runInspect(ctx: CommandContext, name: string, args: readonly string[], options: RemoteCommandOptions): Promise<void> {
  const app = await ctx.loadApp();
  try {
    await app.loadPlugins();
    const command = findCommand('inspect', name, knownCommands('inspect', app.plugins.controlCommands()));
    const argumentsSent = commandArguments(command, args);
    await connectBroker(ctx, app, 'inspect', options);
    const replies = await app.control.inspect(controlOptions(ctx, options, true)).call(command.name, argumentsSent);
    finishReplies(ctx, replies, options);
  } finally {
    await app.close();
  }
}
