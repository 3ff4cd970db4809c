/** `q call <task>`: sends a task by name and prints its id (works for tasks the module does not define). */
import { Command } from 'commander';
import type { ApplyOptions } from '@q/core';
import { CONNECT_TIMEOUT_FLAGS, CONNECT_TIMEOUT_HELP, DEFAULT_CONNECT_TIMEOUT, connectWithin, parseConnectTimeout } from '../connect-timeout.js';
import { commandContext } from '../context.js';
import type { CommandContext, RunState } from '../context.js';
import type { CliIo } from '../io.js';
import { parseExpires, parseInteger, parseIsoDate, parseJsonArgs, parseJsonKwargs, parseSeconds } from '../parse.js';

/** Options of `q call`, as parsed. */
export interface CallCommandOptions {
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  countdown?: number;
  eta?: string;
  expires?: number | string;
  queue?: string;
  exchange?: string;
  routingKey?: string;
  priority?: number;
  connectTimeout?: number;
}

/** Creates the `call` subcommand. */
export function callCommand(io: CliIo, run: RunState): Command {
  return new Command('call')
    .description('send a task by name and print its id')
    .argument('<name>', 'registered task name, e.g. tasks.add')
    .option('-a, --args <json>', 'positional arguments as a JSON array', (v) => parseJsonArgs('-a/--args', v))
    .option('-k, --kwargs <json>', 'keyword arguments as a JSON object', (v) => parseJsonKwargs('-k/--kwargs', v))
    .option('--countdown <seconds>', 'run after this many seconds', (v) => parseSeconds('--countdown', v))
    .option('--eta <iso>', 'run at this ISO-8601 time', (v) => parseIsoDate('--eta', v))
    .option('--expires <seconds|iso>', 'revoke unless started within seconds, or by an ISO-8601 time', (v) =>
      parseExpires('--expires', v),
    )
    .option('--queue <name>', 'queue to send to (default: by routing)')
    .option('--exchange <name>', 'exchange to send to')
    .option('--routing-key <key>', 'routing key')
    .option('--priority <n>', 'message priority 0-255', (v) => parseInteger('--priority', v, 0, 255))
    .option(CONNECT_TIMEOUT_FLAGS, CONNECT_TIMEOUT_HELP, parseConnectTimeout)
    .action(async (name: string, options: CallCommandOptions, cmd: Command) => {
      await runCall(commandContext(cmd, io, run), name, options);
    });
}

/**
 * Connects the broker (giving up after `--connect-timeout`), sends the task and prints its id as the last line
 * of stdout.
 */
export async function runCall(ctx: CommandContext, name: string, options: CallCommandOptions): Promise<void> {
  const app = await ctx.loadApp();
  try {
    await connectWithin(app, app.getTransport(), {
      what: 'broker',
      seconds: options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT,
      command: 'call',
      retries: ctx.connectRetries,
    });
    const result = await app.sendTask(name, options.args ?? [], options.kwargs ?? {}, applyOptions(options));
    ctx.logger.debug({ task: name, id: result.id }, 'call: sent');
    ctx.print(result.id);
  } finally {
    await app.close();
  }
}

/** Maps the parsed flags to `sendTask` options. */
export function applyOptions(options: CallCommandOptions): ApplyOptions {
  const out: ApplyOptions = {};
  if (options.countdown !== undefined) out.countdown = options.countdown;
  if (options.eta !== undefined) out.eta = options.eta;
  if (options.expires !== undefined) out.expires = options.expires;
  if (options.queue !== undefined) out.queue = options.queue;
  if (options.exchange !== undefined) out.exchange = options.exchange;
  if (options.routingKey !== undefined) out.routingKey = options.routingKey;
  if (options.priority !== undefined) out.priority = options.priority;
  return out;
}
