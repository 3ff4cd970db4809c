/** Runs the program once and turns every outcome into an exit code: 0 ok, 1 failure, 2 usage error. */
import { CommanderError } from 'commander';
import { isQError } from '@q/core';
import { flushCommandLoggers, isDebug } from './context.js';
import type { GlobalOptions, RunState } from './context.js';
import { processIo } from './io.js';
import type { CliIo } from './io.js';
import { createProgram } from './program.js';
import { UsageError } from './usage-error.js';

/** Exit codes of `q`. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/**
 * Parses `argv` (`[node, script, ...args]`), runs the command and returns the exit code. Never throws and never
 * exits the process: errors are printed to `io.stderr` as `error: <message> (<code>)`, with the stack only
 * under `-l debug`.
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const run: RunState = { exitCode: EXIT.ok };
  const program = createProgram(io, run);
  try {
    await program.parseAsync([...argv], { from: 'node' });
    flushCommandLoggers();
    return run.exitCode;
  } catch (err) {
    flushCommandLoggers();
    const debug = isDebug(program.opts<Partial<GlobalOptions>>() as Pick<GlobalOptions, 'loglevel'>);
    return reportError(err, io, debug);
  }
}

/** Prints an error the way `q` does and returns its exit code. */
export function reportError(err: unknown, io: Pick<CliIo, 'stderr'>, debug: boolean): number {
  if (err instanceof CommanderError) {
    // Commander already printed its message (or the help / version).
    return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (isQError(err)) {
    io.stderr.write(`error: ${err.message} (${err.code})\n`);
  } else {
    io.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  }
  if (debug && err instanceof Error && err.stack) {
    io.stderr.write(`${err.stack}\n`);
    // A wrapped error (an app module that threw at import): where it came from is in the cause's stack.
    if (err.cause instanceof Error && err.cause.stack) io.stderr.write(`caused by: ${err.cause.stack}\n`);
  }
  return err instanceof UsageError ? EXIT.usage : EXIT.failure;
}
