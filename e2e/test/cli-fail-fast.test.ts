/**
 * `q` fails fast, and says why, where a new user's first try used to hang (issue 22): a worker whose module
 * waits for a result at import, and one-shot commands against a broker or backend that is not there.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAllQ, runQ } from './support/q-process.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'q-e2e-fail-fast-'));
});
afterAll(() => {
  killAllQ();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `q …` and measures how long it took. */
async function timed(args: string[]) {
  const started = performance.now();
  const run = await runQ(args);
  return { ...run, seconds: (performance.now() - started) / 1000 };
}

describe('q worker with a module that waits for a result at import', () => {
  it('exits 1 within seconds, saying what is wrong and what to do', async () => {
    const run = await timed(['-A', 'e2e/apps/await-at-import.ts', '--embedded-dir', dir, 'worker']);
    expect(run.code, run.stderr).toBe(1);
    expect(run.seconds).toBeLessThan(8); // not the 10 s of get({ timeout: 10 }), and never a hang
    expect(run.stderr).toMatch(/error: result\.get\(\) was called for task [0-9a-f-]{36} while `q worker` is importing the app module .*await-at-import\.ts/);
    expect(run.stderr).toMatch(/Do not wait for results at the top level of the app module/);
    expect(run.stderr).toMatch(/\(Q_ERR_WAIT_DURING_IMPORT\)\n$/);
    expect(run.stdout).not.toMatch(/\[tasks\]/); // it never got as far as the banner
  }, 20_000);
});

describe('one-shot commands against an unreachable broker or backend', () => {
  it('q call gives up after about 5 s with the connection error and the flag to wait longer', async () => {
    const run = await timed(['-b', 'redis://127.0.0.1:1/0', 'call', 'tasks.add', '--args', '[1,2]']);
    expect(run.code, run.stderr).toBe(1);
    expect(run.seconds).toBeLessThan(10);
    expect(run.seconds).toBeGreaterThanOrEqual(5);
    expect(run.stderr).toMatch(
      /error: q call gave up connecting to the broker after 5 s \(last attempt: .*redis:\/\/127\.0\.0\.1:1\/0.*ECONNREFUSED.*\); pass --connect-timeout <seconds> to wait longer \(Q_ERR_CONNECTION_FAILED\)\n$/,
    );
  }, 20_000);

  it('q result does the same for the result backend, and --connect-timeout sets the wait', async () => {
    const run = await timed(['--result-backend', 'redis://127.0.0.1:1/0', 'result', 'some-id', '--connect-timeout', '1']);
    expect(run.code, run.stderr).toBe(1);
    expect(run.seconds).toBeLessThan(6);
    expect(run.stderr).toMatch(/error: q result gave up connecting to the result backend after 1 s \(last attempt: .*ECONNREFUSED.*\)/);
  }, 20_000);
});
