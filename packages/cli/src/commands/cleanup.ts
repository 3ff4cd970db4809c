/**
 * `q cleanup`: deletes the results older than `result.expires` (or `--expires`) from a result backend that does not
 * expire them by itself (PostgreSQL), as the builtin task `celery.backend_cleanup` does — for a cron job, or once.
 */
import { Command } from 'commander';
import { cleanupBackend } from '@q/core/internal';
import { CONNECT_TIMEOUT_FLAGS, CONNECT_TIMEOUT_HELP, DEFAULT_CONNECT_TIMEOUT, connectWithin, parseConnectTimeout } from '../connect-timeout.js';
import { commandContext, type CommandContext, type RunState } from '../context.js';
import type { CliIo } from '../io.js';
import { UsageError } from '../usage-error.js';

/** Options of `q cleanup`, as parsed. */
export interface CleanupCommandOptions {
  /** Seconds; overrides `result.expires`. */
  expires?: number;
  connectTimeout?: number;
}

function parseSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`cleanup: --expires must be a number of seconds >= 0, not "${value}"`);
  return n;
}

/** Creates the `cleanup` subcommand. */
export function cleanupCommand(io: CliIo, run: RunState): Command {
  return new Command('cleanup')
    .description('delete results older than result.expires from a backend that keeps them (PostgreSQL); what celery.backend_cleanup does')
    .option('--expires <seconds>', 'delete results finished longer ago than this (default: result.expires)', parseSeconds)
    .option(CONNECT_TIMEOUT_FLAGS, CONNECT_TIMEOUT_HELP, parseConnectTimeout)
    .action(async (options: CleanupCommandOptions, cmd: Command) => {
      await runCleanup(commandContext(cmd, io, run), options);
    });
}

/** Runs the cleanup and prints what it deleted (last stdout line). */
export async function runCleanup(ctx: CommandContext, options: CleanupCommandOptions): Promise<void> {
  const app = await ctx.loadApp();
  try {
    const backend = await connectWithin(app, app.getBackend(), {
      what: 'result backend',
      seconds: options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT,
      command: 'cleanup',
      retries: ctx.connectRetries,
    });
    if (backend === null) throw new UsageError('cleanup: the app has no result backend');
    if (!backend.cleanup) {
      ctx.print(`cleanup: nothing to do, the result backend ${backend.describe()} expires results by itself`);
      return;
    }
    const expires = options.expires ?? app.conf.result.expires;
    if (expires === null) {
      ctx.print('cleanup: nothing to do, result.expires is null (results are kept forever); pass --expires to delete older ones');
      return;
    }
    const report = await cleanupBackend({ getBackend: () => Promise.resolve(backend), conf: { result: { ...app.conf.result, expires } } });
    const deleted = report?.deleted ?? 0;
    ctx.print(`Deleted ${deleted} expired result${deleted === 1 ? '' : 's'} (finished more than ${expires} s ago) from ${backend.describe()}.`);
  } finally {
    await app.close();
  }
}
