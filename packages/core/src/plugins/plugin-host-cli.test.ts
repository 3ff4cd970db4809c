import { describe, expect, it } from 'vitest';
import type { CliCommandSpec, CliOptionSpec } from '../contracts/cli-extension.js';
import type { Plugin } from '../contracts/plugin.js';
import { PluginError } from '../errors/q-error.js';
import { PluginHost } from './plugin-host.js';

const action = (): void => undefined;

async function failure(plugin: Plugin): Promise<PluginError> {
  const err = await new PluginHost().use(plugin).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(PluginError);
  return err as PluginError;
}

describe('PluginHost: command-line extensions', () => {
  it('keeps the commands and global options plugins add, in order, with the plugin that added each', async () => {
    const host = new PluginHost();
    const hello: CliCommandSpec = { name: 'hello', description: 'greet', arguments: [{ name: 'who' }], action };
    const config: CliOptionSpec = { flags: '--config-file <path>', description: 'settings' };
    await host.use({ name: 'a', setup: (api) => { api.cliCommand(hello); api.cliOption(config); } });
    await host.use({ name: 'b', setup: (api) => api.cliCommand({ name: 'bye', description: 'leave', action }) });
    expect(host.cliCommands().map((c) => [c.plugin, c.spec.name])).toEqual([['a', 'hello'], ['b', 'bye']]);
    expect(host.cliCommands()[0]?.spec).toBe(hello);
    expect(host.cliOptions()).toEqual([{ plugin: 'a', spec: config }]);
  });

  it('refuses a command whose name or alias is not a command name, naming the plugin', async () => {
    const err = await failure({ name: 'p', setup: (api) => api.cliCommand({ name: 'say hi', description: '', action }) });
    expect(err.code).toBe('Q_ERR_PLUGIN_FAILED');
    expect(err.message).toMatch(/plugin "p" added a q command named "say hi": a command name is letters, digits and "-"/);
    const alias = await failure({ name: 'p', setup: (api) => api.cliCommand({ name: 'ok', aliases: ['-x'], description: '', action }) });
    expect(alias.message).toMatch(/named "-x"/);
  });

  it('refuses a command without an action, or with a variadic argument before the last', async () => {
    const none = await failure({ name: 'p', setup: (api) => api.cliCommand({ name: 'x', description: '' } as unknown as CliCommandSpec) });
    expect(none.message).toMatch(/plugin "p" added a q command "x" without an action/);
    const variadic = await failure({
      name: 'p',
      setup: (api) => api.cliCommand({ name: 'x', description: '', arguments: [{ name: 'many', variadic: true }, { name: 'last' }], action }),
    });
    expect(variadic.message).toMatch(/variadic argument "many" is not the last/);
  });

  it('refuses options without flags or a description, of commands and global ones', async () => {
    const global = await failure({ name: 'p', setup: (api) => api.cliOption({ flags: 'config', description: 'x' }) });
    expect(global.message).toMatch(/plugin "p" added a global option with flags "config": expected e\.g\. "-s, --shout"/);
    const own = await failure({
      name: 'p',
      setup: (api) => api.cliCommand({ name: 'x', description: '', options: [{ flags: '--dry-run' } as unknown as CliOptionSpec], action }),
    });
    expect(own.message).toMatch(/plugin "p" added the option "--dry-run" of command "x" without a description/);
  });
});
