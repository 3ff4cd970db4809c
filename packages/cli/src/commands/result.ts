/** `q result <id>`: waits for a task's result and prints it as JSON; a failure prints the remote error. */
import { Command } from 'commander';
import { RemoteError, TimeoutError, isQError } from '@q/core';
import type { App } from '@q/core';
import { CONNECT_TIMEOUT_FLAGS, CONNECT_TIMEOUT_HELP, DEFAULT_CONNECT_TIMEOUT, connectWithin, parseConnectTimeout } from '../connect-timeout.js';
import { commandContext } from '../context.js';
import type { CommandContext, RunState } from '../context.js';
import type { CliIo } from '../io.js';
import { adapterUrl } from '../mask-url.js';
import { parseSeconds } from '../parse.js';

/** Options of `q result`, as parsed. */
export interface ResultCommandOptions {
  timeout?: number;
  connectTimeout?: number;
}

/** Creates the `result` subcommand. */
export function resultCommand(io: CliIo, run: RunState): Command {
  return new Command('result')
    .description('wait for a task result and print it as JSON')
    .argument('<id>', 'task id (printed by `q call`)')
    .option('-t, --timeout <seconds>', 'give up after this many seconds (default: wait forever)', (v) =>
      parseSeconds('--timeout', v),
    )
    .option(CONNECT_TIMEOUT_FLAGS, CONNECT_TIMEOUT_HELP, parseConnectTimeout)
    .action(async (id: string, options: ResultCommandOptions, cmd: Command) => {
      await runResult(commandContext(cmd, io, run), id, options);
    });
}

/**
 * Connects the result backend (giving up after `--connect-timeout`) and prints the result as JSON (last stdout
 * line). On FAILURE prints `Type: message` to stdout, the remote traceback to stderr, and sets exit code 1. A
 * timeout throws a `TimeoutError`; while the state is PENDING it says that an unknown id is PENDING too.
 */
export async function runResult(ctx: CommandContext, id: string, options: ResultCommandOptions): Promise<void> {
  const app = await ctx.loadApp();
  try {
    const backend = await connectWithin(app, app.getBackend(), {
      what: 'result backend',
      seconds: options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT,
      command: 'result',
      retries: ctx.connectRetries,
    });
    const result = app.asyncResult(id);
    const getOptions = options.timeout === undefined ? { propagate: true } : { timeout: options.timeout, propagate: true };
    try {
      const value: unknown = await result.get(getOptions);
      ctx.print(JSON.stringify(value) ?? 'null');
    } catch (err) {
      if (isQError(err) && err.code === 'Q_ERR_TIMEOUT' && options.timeout !== undefined) {
        throw await explainTimeout(app, id, options.timeout, backend?.describe() ?? null, err);
      }
      if (!(err instanceof RemoteError)) throw err;
      if (err.remoteTraceback) ctx.io.stderr.write(err.remoteTraceback.endsWith('\n') ? err.remoteTraceback : `${err.remoteTraceback}\n`);
      ctx.print(err.message);
      ctx.run.exitCode = 1;
    }
  } finally {
    await app.close();
  }
}

/**
 * The error of a `result -t` that timed out. A backend stores nothing for a task before it starts (unless
 * `trackStarted`), so PENDING means "not started yet" and also "never heard of": a mistyped id, a task sent
 * through another broker or backend, or a result that expired. Another state (STARTED, RETRY) keeps core's error.
 */
async function explainTimeout(app: App, id: string, seconds: number, backend: string | null, err: Error): Promise<Error> {
  const state = await app.asyncResult(id).state().catch(() => null);
  if (state !== 'PENDING') return err;
  const where = backend === null ? 'the result backend' : adapterUrl(backend);
  return new TimeoutError(
    'Q_ERR_TIMEOUT',
    `no result for task ${id} after ${seconds} s: its state is PENDING, which is also the state of an id that ${where} ` +
      'has no record of (a mistyped id, a task sent through another broker or result backend, or a result that ' +
      'expired). Check the id, that a worker consumes its queue, and that the worker and this command use the ' +
      'same result backend',
    { cause: err, retryable: true },
  );
}
