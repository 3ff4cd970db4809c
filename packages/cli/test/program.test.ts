import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { createProgram } from '../src/program.js';
import { runCli } from '../src/run-cli.js';
import { VERSION } from '../src/version.js';
import { memoryIo } from './helpers.js';

type Seen = { args: unknown[]; opts: Record<string, unknown>; globals: Record<string, unknown> };

/** Parses argv with every action replaced by a recorder. */
async function parse(args: string[]): Promise<Seen> {
  const io = memoryIo();
  const program = createProgram(io);
  let seen: Seen | undefined;
  for (const command of program.commands) {
    command.action((...params: unknown[]) => {
      const cmd = params[params.length - 1] as Command;
      seen = { args: params.slice(0, -2), opts: cmd.opts(), globals: cmd.optsWithGlobals() };
    });
  }
  await program.parseAsync(['node', 'q', ...args]);
  if (!seen) throw new Error('no action ran');
  return seen;
}

describe('q argument parsing', () => {
  it('parses worker options', async () => {
    const seen = await parse(['-A', 'tasks.ts', 'worker', '-Q', 'a, b', '-c', '4', '-P', 'solo', '-n', 'w1@%h',
      '--prefetch-multiplier', '2', '--pidfile', '/tmp/w.pid']);
    expect(seen.opts).toEqual({ queues: ['a', 'b'], concurrency: 4, pool: 'solo', hostname: 'w1@%h',
      prefetchMultiplier: 2, pidfile: '/tmp/w.pid' });
    expect(seen.globals['app']).toBe('tasks.ts');
  });

  it('accepts global options after the command, with Celery level names', async () => {
    const seen = await parse(['worker', '-A', 'tasks.ts', '-l', 'WARNING', '-b', 'redis://h', '--result-backend', 'redis://r']);
    expect(seen.globals).toMatchObject({ app: 'tasks.ts', loglevel: 'warn', broker: 'redis://h', resultBackend: 'redis://r' });
  });

  it('gives call, result and purge --connect-timeout in seconds, and refuses a bad value with exit 2', async () => {
    expect((await parse(['call', 'tasks.add', '--connect-timeout', '30'])).opts['connectTimeout']).toBe(30);
    expect((await parse(['result', 'some-id', '--connect-timeout', '0'])).opts['connectTimeout']).toBe(0);
    expect((await parse(['purge', '-f', '--connect-timeout', '2.5'])).opts['connectTimeout']).toBe(2.5);
    expect((await parse(['call', 'tasks.add'])).opts['connectTimeout']).toBeUndefined();
    const io = memoryIo();
    expect(await runCli(['node', 'q', 'call', 'tasks.add', '--connect-timeout', 'soon'], io)).toBe(2);
    expect(io.err()).toMatch(/--connect-timeout: expected a non-negative number of seconds, got "soon"/);
  });

  it('defaults to info logs in text format', async () => {
    const seen = await parse(['purge', '-f']);
    expect(seen.globals).toMatchObject({ loglevel: 'info', logFormat: 'text' });
    expect(seen.opts).toEqual({ force: true });
  });

  it('parses call options', async () => {
    const seen = await parse(['call', 'tasks.add', '--args', '[2, 2]', '--kwargs', '{"z": 1}', '--countdown', '1.5',
      '--eta', '2030-01-01T00:00:00+00:00', '--expires', '60', '--queue', 'low', '--priority', '9']);
    expect(seen.args).toEqual(['tasks.add']);
    expect(seen.opts).toEqual({ args: [2, 2], kwargs: { z: 1 }, countdown: 1.5, eta: '2030-01-01T00:00:00+00:00',
      expires: 60, queue: 'low', priority: 9 });
  });

  it('accepts an ISO date for --expires and -a/-k short flags', async () => {
    const seen = await parse(['call', 't', '-a', '[]', '-k', '{}', '--expires', '2030-01-01T00:00:00Z']);
    expect(seen.opts).toEqual({ args: [], kwargs: {}, expires: '2030-01-01T00:00:00Z' });
  });

  it('parses result --timeout', async () => {
    const seen = await parse(['result', 'abc', '--timeout', '2.5']);
    expect(seen.args).toEqual(['abc']);
    expect(seen.opts).toEqual({ timeout: 2.5 });
  });
});

describe('q usage errors exit 2', () => {
  const cases: [string, string[], RegExp][] = [
    ['bad JSON in --args', ['call', 'tasks.add', '--args', '[2,'], /error: -a\/--args: invalid JSON .*\(Q_ERR_CONFIG_INVALID\)/],
    ['--args not an array', ['call', 'tasks.add', '--args', '{"x": 1}'], /-a\/--args: expected a JSON array/],
    ['--kwargs not an object', ['call', 'tasks.add', '--kwargs', '[1]'], /-k\/--kwargs: expected a JSON object/],
    ['bad countdown', ['call', 't', '--countdown', 'soon'], /--countdown: expected a non-negative number/],
    ['bad eta', ['call', 't', '--eta', 'tomorrow'], /--eta: expected an ISO-8601 date-time/],
    ['priority out of range', ['call', 't', '--priority', '300'], /--priority: expected an integer between 0 and 255/],
    ['zero concurrency', ['worker', '-c', '0'], /-c\/--concurrency: expected an integer >= 1/],
    ['unknown log level', ['-l', 'loud', 'worker'], /unknown level "loud"/],
    ['unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
    ['unknown option', ['call', 't', '--bogus'], /unknown option '--bogus'/],
    ['missing task name', ['call'], /missing required argument 'name'/],
  ];
  for (const [what, args, message] of cases) {
    it(what, async () => {
      const io = memoryIo();
      expect(await runCli(['node', 'q', ...args], io)).toBe(2);
      expect(io.err()).toMatch(message);
      expect(io.err()).not.toMatch(/\n\s+at /);
    });
  }

  it('reports a missing -A module with exit 2', async () => {
    const io = memoryIo();
    expect(await runCli(['node', 'q', '-A', 'no/such/tasks.ts', 'call', 'tasks.add'], io)).toBe(2);
    expect(io.err()).toMatch(/error: -A\/--app: cannot find the app module "no\/such\/tasks.ts"/);
  });
});

describe('q --version and --help', () => {
  it('prints the version and exits 0', async () => {
    const io = memoryIo();
    expect(await runCli(['node', 'q', '--version'], io)).toBe(0);
    expect(io.out().trim()).toBe(VERSION);
  });

  it('prints help listing the commands and exits 0', async () => {
    const io = memoryIo();
    expect(await runCli(['node', 'q', '--help'], io)).toBe(0);
    for (const command of ['worker', 'call', 'result', 'purge']) expect(io.out()).toContain(command);
    expect(io.out()).toContain('--result-backend');
  });
});
