/** The streams and environment a command runs with; injected so tests can run commands in-process. */

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
}

/** The real process's streams and environment. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
  };
}
