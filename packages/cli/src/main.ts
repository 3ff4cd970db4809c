import { runCli } from './run-cli.js';

/** Runs `q` with `argv` (`process.argv` shape) and sets `process.exitCode`. Does not exit the process. */
export async function main(argv: readonly string[] = process.argv): Promise<void> {
  process.exitCode = await runCli(argv);
}
