/** Test helpers: an in-memory {@link CliIo}. */
import { PassThrough } from 'node:stream';
import type { CliIo } from '../src/io.js';

/** A CliIo that records what was written. */
export function memoryIo(overrides: Partial<CliIo> = {}): CliIo & { out: () => string; err: () => string } {
  let stdout = '';
  let stderr = '';
  const stdin = Object.assign(new PassThrough(), { isTTY: false });
  return {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    stdin,
    env: {},
    cwd: process.cwd(),
    ...overrides,
    out: () => stdout,
    err: () => stderr,
  };
}
