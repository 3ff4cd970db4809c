/** `pnpm demo` runs the quickstart end to end and exits 0. */
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './support/q-process.js';

const demo = spawn(process.execPath, ['--conditions=@q/source', '--import', 'tsx', 'examples/quickstart/demo.ts'], {
  cwd: ROOT,
  stdio: ['ignore', 'pipe', 'pipe'],
});
afterAll(() => {
  if (demo.exitCode === null && demo.signalCode === null) demo.kill('SIGKILL');
});

describe('the quickstart demo', () => {
  it('runs to the end and exits 0', async () => {
    let output = '';
    demo.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    demo.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => demo.on('exit', (c) => resolve(c)));
    expect(code, output).toBe(0);
    expect(output).toMatch(/300\/300 correct/);
    expect(output).toMatch(/Summary: .*all correct/);
  }, 60_000);
});
