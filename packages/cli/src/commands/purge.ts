/** `q purge`: removes every waiting message from the app's queues (or `-Q` ones), after confirmation. */
import { createInterface } from 'node:readline/promises';
import { Command } from 'commander';
import type { App } from '@q/core';
import { CONNECT_TIMEOUT_FLAGS, CONNECT_TIMEOUT_HELP, DEFAULT_CONNECT_TIMEOUT, connectWithin, parseConnectTimeout } from '../connect-timeout.js';
import { commandContext } from '../context.js';
import type { CommandContext, RunState } from '../context.js';
import type { CliIo } from '../io.js';
import { parseList } from '../parse.js';
import { UsageError } from '../usage-error.js';

/** Options of `q purge`, as parsed. */
export interface PurgeCommandOptions {
  queues?: string[];
  force?: boolean;
  connectTimeout?: number;
}

/** Creates the `purge` subcommand. */
export function purgeCommand(io: CliIo, run: RunState): Command {
  return new Command('purge')
    .description('erase all waiting messages from the task queues (cannot be undone)')
    .option('-Q, --queues <list>', 'comma-separated queues (default: the default queue and declared queues)', (v) =>
      parseList('-Q/--queues', v),
    )
    .option('-f, --force', 'do not ask for confirmation')
    .option(CONNECT_TIMEOUT_FLAGS, CONNECT_TIMEOUT_HELP, parseConnectTimeout)
    .action(async (options: PurgeCommandOptions, cmd: Command) => {
      await runPurge(commandContext(cmd, io, run), options);
    });
}

/** Purges the queues and prints how many messages were removed from which (last stdout line). */
export async function runPurge(ctx: CommandContext, options: PurgeCommandOptions): Promise<void> {
  if (!options.force && !ctx.io.stdin.isTTY) {
    throw new UsageError('purge: standard input is not a terminal, so it cannot ask for confirmation; pass -f to purge');
  }
  const app = await ctx.loadApp();
  try {
    const queues = options.queues ?? defaultQueues(app);
    if (!options.force && !(await confirm(ctx, queues))) {
      ctx.print('purge: aborted, nothing purged');
      ctx.run.exitCode = 1;
      return;
    }
    const transport = await connectWithin(app, app.getTransport(), {
      what: 'broker',
      seconds: options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT,
      command: 'purge',
      retries: ctx.connectRetries,
    });
    const counts: [string, number][] = [];
    for (const queue of queues) counts.push([queue, await transport.purge(queue)]);
    ctx.print(purgeSummary(counts));
  } finally {
    await app.close();
  }
}

/** The app's default queue, then its declared queues, without duplicates. */
export function defaultQueues(app: Pick<App, 'conf'>): string[] {
  const names = [app.conf.task.defaultQueue, ...app.conf.task.queues.map((q) => q.name)];
  return [...new Set(names)];
}

/** `Purged 3 messages from 2 queues: celery (3), low (0).` */
export function purgeSummary(counts: readonly (readonly [string, number])[]): string {
  const total = counts.reduce((sum, [, n]) => sum + n, 0);
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const detail = counts.map(([queue, n]) => `${queue} (${n})`).join(', ');
  return `Purged ${plural(total, 'message')} from ${plural(counts.length, 'queue')}: ${detail}.`;
}

async function confirm(ctx: CommandContext, queues: readonly string[]): Promise<boolean> {
  ctx.io.stderr.write(`About to erase all waiting messages from ${queues.join(', ')}. This cannot be undone. Continue? [y/N] `);
  const prompt = createInterface({ input: ctx.io.stdin });
  try {
    const answer = await prompt.question('');
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}
