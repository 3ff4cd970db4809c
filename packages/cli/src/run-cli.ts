/** Runs the program once and turns every outcome into an exit code: 0 ok, 1 failure, 2 usage error. */
import { CommanderError } from 'commander';
import type { Command } from 'commander';
import { isQError } from '@q/core';
import type { Plugin } from '@q/core';
import { PluginHost, createDefaultRegistry } from '@q/core/internal';
import { flushCommandLoggers, isDebug } from './context.js';
import type { GlobalOptions, RunState } from './context.js';
import { processIo } from './io.js';
import type { CliIo } from './io.js';
import type { CliPluginSource } from './plugins/plugin-extensions.js';
import { preloadApp, scanLine } from './plugins/preload-app.js';
import { createProgram } from './program.js';
import { UsageError } from './usage-error.js';

/** Exit codes of `q`. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** Options of {@link runCli}. */
export interface RunCliOptions {
  /**
   * Plugins whose command-line extensions (`api.cliCommand`, `api.cliOption`, the `userPreloadOptions` hook) are added
   * besides those of the `-A` app's plugins; set up in a host of their own, without an app (`api.app` is absent).
   */
  plugins?: readonly Plugin[];
}

/**
 * Parses `argv` (`[node, script, ...args]`), runs the command and returns the exit code. Never throws and never
 * exits the process: errors are printed to `io.stderr` as `error: <message> (<code>)`, with the stack only
 * under `-l debug`. When `argv` names an app (`-A`), its module is imported and its plugins set up before the line
 * is parsed, so that their commands and options are part of the program.
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo(), options: RunCliOptions = {}): Promise<number> {
  const run: RunState = { exitCode: EXIT.ok };
  const line = scanLine(argv, createProgram(silentIo(io)));
  let program: Command | undefined;
  try {
    const sources: CliPluginSource[] = [];
    const preloaded = line === null ? null : await preloadApp(line, io);
    if (preloaded !== null) {
      run.appLogger = preloaded.logger;
      sources.push(preloaded.app.plugins);
    }
    if (options.plugins !== undefined && options.plugins.length > 0) sources.push(await standaloneHost(options.plugins));
    program = createProgram(io, run, { plugins: sources });
    await program.parseAsync([...argv], { from: 'node' });
    flushCommandLoggers();
    return run.exitCode;
  } catch (err) {
    flushCommandLoggers();
    const globals = program?.opts<Partial<GlobalOptions>>() ?? line?.globals ?? {};
    return reportError(err, io, isDebug(globals as Pick<GlobalOptions, 'loglevel'>));
  }
}

/** `io` writing nowhere (the scan's parse must not print help, version or errors: the real parse does). */
function silentIo(io: CliIo): CliIo {
  const nowhere = { write: () => true };
  return { ...io, stdout: nowhere, stderr: nowhere };
}

/** A plugin host with only `plugins`, for the extensions passed to {@link runCli} directly. */
async function standaloneHost(plugins: readonly Plugin[]): Promise<PluginHost> {
  const host = new PluginHost({ serializers: createDefaultRegistry() });
  for (const plugin of plugins) await host.use(plugin);
  return host;
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
