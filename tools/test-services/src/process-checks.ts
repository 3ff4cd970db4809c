/**
 * Checks that a test leaves nothing running: timers and sockets of this process, and how fast a child process
 * running a TypeScript fixture exits once it has closed what it opened.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** Timers and sockets of this process (what a connection left reconnecting, or a forgotten timer, would keep). */
export function activeHandles(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout' || r === 'TCPSocketWrap').length;
}

/** What {@link runTsFixture} saw. */
export interface FixtureRun<R> {
  code: number | null;
  stderr: string;
  /** The first line of stdout that starts with `{`, parsed as JSON (the fixture's report), or null. */
  report: R | null;
  /** From the fixture's `closed <ms>` line to its exit, or null when it printed none. */
  exitMs: number | null;
}

const tsx = createRequire(fileURLToPath(new URL('../../../package.json', import.meta.url))).resolve('tsx');

/**
 * Runs the TypeScript `fixture` (a path) in a child Node with `args`, from the packages' sources (the `source`
 * export condition, through tsx); killed after `timeoutMs`.
 */
export function runTsFixture<R>(fixture: string, args: readonly string[], timeoutMs = 15_000): Promise<FixtureRun<R>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@q/source', '--import', tsx, fixture, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let stderr = '';
    let closedAt: number | null = null;
    const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (closedAt === null && /^closed \d+$/m.test(out)) closedAt = Date.now();
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(killer);
      const line = out.split('\n').find((l) => l.startsWith('{'));
      resolve({ code, stderr, report: line ? (JSON.parse(line) as R) : null, exitMs: closedAt === null ? null : Date.now() - closedAt });
    });
  });
}
