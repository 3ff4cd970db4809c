/** The streams and environment a command runs with; injected so tests can run commands in-process. */
import { respawnSelf } from './respawn.js';

/** Something text can be written to. */
export interface TextSink {
  write(text: string): unknown;
}

/** Input, streams and environment of one CLI run. */
export interface CliIo {
  stdout: TextSink;
  stderr: TextSink;
  /** Standard input; `isTTY` decides whether `purge` may ask for confirmation. */
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /**
   * Starts this command again in a new process (`q worker` on SIGHUP) and returns its pid; absent where the command
   * cannot run again (commands run in-process by tests), and SIGHUP then stops the worker warm.
   */
  respawn?: () => number | undefined;
}

/** The real process's streams and environment. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    respawn: respawnSelf,
  };
}
