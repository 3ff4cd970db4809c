import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliCommandContext, CliCommandSpec, HookPayloads, Plugin } from '@q/core';
import { PluginHost, createDefaultRegistry } from '@q/core/internal';
import type { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { createProgram } from '../src/program.js';
import { runCli } from '../src/run-cli.js';
import { memoryIo } from './helpers.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/cli-plugin/', import.meta.url));
const APP = path.join(FIXTURE, 'app.ts');

/** A plugin adding `spec` as a command (and `globals` as global options). */
function commandPlugin(name: string, spec: Partial<CliCommandSpec> & { name: string }, globals: string[] = []): Plugin {
  return {
    name,
    setup(api) {
      api.cliCommand({ description: `${spec.name} of ${name}`, action: () => undefined, ...spec });
      for (const flags of globals) api.cliOption({ flags, description: `${flags} of ${name}` });
    },
  };
}

const q = (...args: string[]) => ['node', 'q', ...args];

describe('q with plugins: commands and global options', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('lists the -A app plugins\' commands and global options in --help, under the plugin\'s name', async () => {
    const io = memoryIo();
    expect(await runCli(q('-A', APP, '--help'), io)).toBe(0);
    expect(io.out()).toMatch(/Options of plugin "greet":\n\s+--config-file <path>\s+JSON file of greeting settings/);
    expect(io.out()).toMatch(/Commands of plugin "greet":\n\s+hello \[options\] <name>\s+greet someone/);
    expect(io.out()).toMatch(/^\s+worker \[options\]/m);
  });

  it("shows a plugin command's usage with q -A <app> <command> --help", async () => {
    const io = memoryIo();
    expect(await runCli(q('hello', '--help', '-A', APP), io)).toBe(0);
    expect(io.out()).toMatch(/^Usage: q hello \[options\] <name>/);
    expect(io.out()).toMatch(/-s, --shout\s+greet loudly/);
  });

  it('runs the example plugin: the preload hook applies --config-file before the command, which loads the app', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'q-cli-plugin-'));
    dirs.push(dir);
    const config = path.join(dir, 'greet.json');
    writeFileSync(config, JSON.stringify({ greeting: 'Howdy' }));
    const io = memoryIo();
    expect(await runCli(q('-A', APP, 'hello', 'ada', '--config-file', config), io)).toBe(0);
    expect(io.out()).toBe('Howdy, ada! (from greeter)\n');
    const loud = memoryIo();
    expect(await runCli(q('-A', APP, 'hello', '-s', 'ada'), loud)).toBe(0);
    expect(loud.out()).toBe('HELLO, ADA! (FROM GREETER)\n');
  });

  it('without -A lists only the built-in commands, and says how plugin commands appear', async () => {
    const io = memoryIo();
    expect(await runCli(q('--help'), io)).toBe(0);
    expect(io.out()).not.toMatch(/plugin "/);
    expect(io.out()).not.toMatch(/hello/);
    expect(io.out()).toMatch(/Plugins add commands and options: q -A tasks\.ts --help lists those of the app's plugins/);
    const unknown = memoryIo();
    expect(await runCli(q('hello', 'ada'), unknown)).toBe(2);
    expect(unknown.err()).toMatch(/unknown command 'hello'/);
  });

  it('gives the action its parsed arguments and options, the global options, the streams and a logger', async () => {
    let seen: CliCommandContext | undefined;
    const plugin: Plugin = {
      name: 'rec',
      setup(api) {
        api.cliOption({ flags: '--tenant <id>', description: 'tenant', parse: (v) => v.toUpperCase() });
        api.cliCommand({
          name: 'rec',
          description: 'records its context',
          arguments: [
            { name: 'first', parse: Number },
            { name: 'rest', variadic: true, required: false },
          ],
          options: [
            { flags: '--dry-run', description: 'do nothing' },
            { flags: '--mode <mode>', description: 'mode', choices: ['a', 'b'], default: 'a' },
          ],
          action(ctx) {
            seen = ctx;
            ctx.stdout.write('out\n');
            ctx.stderr.write('err\n');
            ctx.logger.warn('from the logger');
          },
        });
      },
    };
    const io = memoryIo();
    const code = await runCli(q('rec', '7', 'x', 'y', '--dry-run', '--tenant', 'acme', '--mode', 'b', '-l', 'warning'), io, { plugins: [plugin] });
    expect(code).toBe(0);
    expect(seen?.command).toBe('rec');
    expect(seen?.args).toEqual({ first: 7, rest: ['x', 'y'] });
    expect(seen?.options).toEqual({ dryRun: true, mode: 'b' });
    expect(seen?.globals).toMatchObject({ tenant: 'ACME', loglevel: 'warn', logFormat: 'text' });
    expect(io.out()).toBe('out\n');
    expect(io.err()).toMatch(/^err\n.*WARNING.*from the logger/s);
  });

  it('runs userPreloadOptions with the global options before the action, for plugin and built-in commands', async () => {
    const order: string[] = [];
    const payloads: HookPayloads['userPreloadOptions'][] = [];
    const plugin: Plugin = {
      name: 'pre',
      setup(api) {
        api.cliOption({ flags: '--region <name>', description: 'region' });
        api.hook('userPreloadOptions', (payload) => {
          payloads.push(payload);
          order.push('preload');
        });
        api.cliCommand({ name: 'go', description: 'go', action: () => void order.push('action') });
      },
    };
    expect(await runCli(q('go', '--region', 'eu'), memoryIo(), { plugins: [plugin] })).toBe(0);
    expect(order).toEqual(['preload', 'action']);
    expect(payloads[0]).toMatchObject({ command: 'go', options: { region: 'eu', loglevel: 'info' } });

    // A built-in command: its action replaced by a recorder (it would start a worker).
    const host = new PluginHost({ serializers: createDefaultRegistry() });
    await host.use(plugin);
    const program = createProgram(memoryIo(), { exitCode: 0 }, { plugins: [host] });
    const worker = program.commands.find((c: Command) => c.name() === 'worker');
    worker?.action(() => void order.push('worker'));
    await program.parseAsync(q('worker', '--region', 'us', '-c', '2'));
    expect(order.slice(2)).toEqual(['preload', 'worker']);
    expect(payloads[1]).toMatchObject({ command: 'worker', options: { region: 'us' } });
  });

  it("names the plugin and the hook when userPreloadOptions throws, exit 1, and the action doesn't run", async () => {
    let ran = false;
    const plugin: Plugin = {
      name: 'cfg',
      setup(api) {
        api.hook('userPreloadOptions', () => {
          throw new Error('config server unreachable');
        });
        api.cliCommand({ name: 'go', description: 'go', action: () => void (ran = true) });
      },
    };
    const io = memoryIo();
    expect(await runCli(q('go'), io, { plugins: [plugin] })).toBe(1);
    expect(ran).toBe(false);
    expect(io.err()).toBe('error: plugin "cfg" failed in hook "userPreloadOptions": config server unreachable (Q_ERR_HOOK_FAILED)\n');
  });

  it('turns a throwing action into one error line and exit 1, and a returned number into the exit code', async () => {
    const failing = commandPlugin('f', {
      name: 'fail',
      action: () => {
        throw new Error('no such tenant');
      },
    });
    const io = memoryIo();
    expect(await runCli(q('fail'), io, { plugins: [failing] })).toBe(1);
    expect(io.err()).toBe('error: no such tenant\n');
    const three = commandPlugin('t', { name: 'three', action: async () => 3 });
    expect(await runCli(q('three'), memoryIo(), { plugins: [three] })).toBe(3);
  });

  it("makes a plugin's parse error or a missing argument a usage error, exit 2", async () => {
    const plugin = commandPlugin('n', {
      name: 'count',
      arguments: [
        {
          name: 'n',
          parse: (v) => {
            if (!/^\d+$/.test(v)) throw new Error(`expected a count, got ${JSON.stringify(v)}`);
            return Number(v);
          },
        },
      ],
    });
    const io = memoryIo();
    expect(await runCli(q('count', 'many'), io, { plugins: [plugin] })).toBe(2);
    expect(io.err()).toMatch(/value 'many' is invalid for argument 'n'\. expected a count, got "many"/);
    const missing = memoryIo();
    expect(await runCli(q('count'), missing, { plugins: [plugin] })).toBe(2);
    expect(missing.err()).toMatch(/missing required argument 'n'/);
  });

  it('refuses a command named like a built-in one, naming both', async () => {
    const io = memoryIo();
    expect(await runCli(q('--help'), io, { plugins: [commandPlugin('bad', { name: 'worker' })] })).toBe(1);
    expect(io.err()).toBe('error: plugin "bad" adds the command "worker", which clashes with q\'s own command "worker" (Q_ERR_CLI_CLASH)\n');
    const alias = memoryIo();
    expect(await runCli(q('--help'), alias, { plugins: [commandPlugin('bad', { name: 'help2', aliases: ['help'] })] })).toBe(1);
    expect(alias.err()).toMatch(/plugin "bad" adds the command "help", which clashes with q's own command "help"/);
  });

  it("refuses a command another plugin added, naming both plugins", async () => {
    const io = memoryIo();
    const plugins = [commandPlugin('one', { name: 'sync' }), commandPlugin('two', { name: 'sync' })];
    expect(await runCli(q('sync'), io, { plugins })).toBe(1);
    expect(io.err()).toBe('error: plugin "two" adds the command "sync", which clashes with plugin "one"\'s command "sync" (Q_ERR_CLI_CLASH)\n');
  });

  it("refuses a global option whose flag a built-in option or a command's option uses", async () => {
    const global = memoryIo();
    expect(await runCli(q('--help'), global, { plugins: [commandPlugin('g', { name: 'g' }, ['-b, --bucket <name>'])] })).toBe(1);
    expect(global.err()).toMatch(/plugin "g" adds the global option "-b, --bucket <name>", whose -b clashes with q's own global option "-b, --broker <url>"/);
    const worker = memoryIo();
    expect(await runCli(q('--help'), worker, { plugins: [commandPlugin('c', { name: 'c' }, ['-c, --config <path>'])] })).toBe(1);
    expect(worker.err()).toMatch(/whose -c clashes with the option "-c, --concurrency <n>" of q's own command "worker"/);
    const own = memoryIo();
    const plugin = commandPlugin('o', { name: 'o', options: [{ flags: '-l, --limit <n>', description: 'limit' }] });
    expect(await runCli(q('--help'), own, { plugins: [plugin] })).toBe(1);
    expect(own.err()).toMatch(/plugin "o" adds the option "-l, --limit <n>" of its command "o", whose -l clashes with q's own global option "-l, --loglevel <level>"/);
  });

  it('keeps docs/authoring/cli-plugin.md showing the example plugin this suite runs', () => {
    const doc = readFileSync(fileURLToPath(new URL('../../../docs/authoring/cli-plugin.md', import.meta.url)), 'utf8');
    const blocks = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(blocks).toContain(readFileSync(path.join(FIXTURE, 'greet-plugin.ts'), 'utf8'));
    expect(blocks).toContain(readFileSync(APP, 'utf8'));
  });
});
