/**
 * What `q inspect`, `q control` and `q status` share: Celery's `-t/--timeout`, `-d/--destination`, `-j/--json`
 * (plus `--connect-timeout`), connecting the app's broker, and the "no node replied" outcome (Celery's
 * `EX_UNAVAILABLE`, exit code 69).
 */
import type { Command } from 'commander';
import type { App, ControlOptions, NodeReply } from '@q/core';
import { CONNECT_TIMEOUT_FLAGS, CONNECT_TIMEOUT_HELP, DEFAULT_CONNECT_TIMEOUT, connectWithin, parseConnectTimeout } from '../connect-timeout.js';
import type { CommandContext } from '../context.js';
import { parseList, parseSeconds } from '../parse.js';
import { nodesOnline, replyLines } from './remote-reply-format.js';

/** Celery's `EX_UNAVAILABLE`: the exit code when no node replied. */
export const EX_UNAVAILABLE = 69;

/** Options of the remote-control commands, as parsed. */
export interface RemoteCommandOptions {
  timeout: number;
  destination?: string[];
  json?: boolean;
  connectTimeout?: number;
}

/** Adds `-t`, `-d`, `-j` and `--connect-timeout` to `command`. */
export function withRemoteOptions(command: Command): Command {
  return command
    .option('-t, --timeout <seconds>', 'seconds to wait for replies', (v) => parseSeconds('-t/--timeout', v), 1)
    .option('-d, --destination <nodes>', 'comma-separated node names to send the command to (default: all)', (v) => parseList('-d/--destination', v))
    .option('-j, --json', 'print the replies as JSON')
    .option(CONNECT_TIMEOUT_FLAGS, CONNECT_TIMEOUT_HELP, parseConnectTimeout);
}

/** Connects the app's broker within `--connect-timeout` (a remote-control command needs nothing else). */
export async function connectBroker(ctx: CommandContext, app: App, command: string, options: RemoteCommandOptions): Promise<void> {
  await connectWithin(app, app.getTransport(), {
    what: 'broker',
    seconds: options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT,
    command,
    retries: ctx.connectRetries,
  });
}

/**
 * The `app.control` options of a command line: timeout and destination, and, unless `--json`, a callback printing
 * each reply as it arrives (its value too when `showBody`).
 */
export function controlOptions(ctx: CommandContext, options: RemoteCommandOptions, showBody: boolean): ControlOptions {
  const out: ControlOptions = { timeout: options.timeout };
  if (options.destination) out.destination = options.destination;
  if (!options.json) out.callback = (reply: NodeReply) => replyLines(reply, showBody).forEach((line) => ctx.print(line));
  return out;
}

/**
 * Ends an inspect-style command with the merged replies: none → {@link noReplies}; `--json` → the replies as one
 * JSON object; else `N nodes online.` (each reply was printed by {@link controlOptions}'s callback as it came).
 */
export function finishReplies(ctx: CommandContext, replies: Record<string, unknown> | null, options: RemoteCommandOptions): void {
  const count = replies === null ? 0 : Object.keys(replies).length;
  if (count === 0) noReplies(ctx);
  else if (options.json) ctx.print(JSON.stringify(replies));
  else ctx.print(`\n${nodesOnline(count)}`);
}

/** Says that no node replied (`Error: No nodes replied within time constraint`, as Celery) and sets exit code 69. */
export function noReplies(ctx: CommandContext): void {
  ctx.io.stderr.write('Error: No nodes replied within time constraint\n');
  ctx.run.exitCode = EX_UNAVAILABLE;
}
