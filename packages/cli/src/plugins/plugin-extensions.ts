/**
 * Turns what plugins added to the command line (`api.cliCommand`, `api.cliOption`: declarative specs of `@q/core`)
 * into commander commands and options of the `q` program, each listed under its plugin's name in `--help`. A name or
 * flag that clashes with q's own or another plugin's is a `PluginError` `Q_ERR_CLI_CLASH` naming both. Global options
 * are recognised anywhere on the line, so their flags must be free in every command too.
 */
import { Argument, Command, InvalidArgumentError, Option } from 'commander';
import { PluginError } from '@q/core';
import type { CliArgumentSpec, CliCommandSpec, CliOptionSpec, HookPayloads, RegisteredCli } from '@q/core';
import type { RunState } from '../context.js';
import type { CliIo } from '../io.js';
import { runPluginCommand } from './plugin-command.js';

/**
 * Where the program finds plugins' command-line extensions: a `PluginHost` (`app.plugins` once `app.loadPlugins()`
 * resolved) is one.
 */
export interface CliPluginSource {
  cliCommands(): RegisteredCli<CliCommandSpec<unknown>>[];
  cliOptions(): RegisteredCli<CliOptionSpec>[];
  hasHook(name: 'userPreloadOptions'): boolean;
  runHook(name: 'userPreloadOptions', payload: HookPayloads['userPreloadOptions']): Promise<void>;
}

/** An option already in the program, with how to name it in a clash message. */
interface TakenFlag {
  readonly option: Option;
  readonly label: string;
}

/**
 * Adds the plugins' commands and global options to `program` (q's own commands and options already in it), and a
 * `preAction` hook running their `userPreloadOptions` handlers before any command's action.
 * @throws PluginError `Q_ERR_CLI_CLASH` when a command name or alias, or an option flag, is taken.
 */
export function addPluginExtensions(program: Command, sources: readonly CliPluginSource[], io: CliIo, run: RunState): void {
  const pluginOf = new Map<Command | Option, string>();
  const globals = (): TakenFlag[] => [
    ...program.options.map((option) => ({ option, label: `${ownerOf(pluginOf.get(option))} global option "${option.flags}"` })),
    { option: new Option('-h, --help'), label: `q's own option "-h, --help"` },
  ];
  const commandOptions = (): TakenFlag[] =>
    program.commands.flatMap((command) =>
      command.options.map((option) => ({ option, label: `the option "${option.flags}" of ${ownerOf(pluginOf.get(command))} command "${command.name()}"` })),
    );
  for (const source of sources) {
    for (const { plugin, spec } of source.cliCommands()) {
      const command = toCommand(spec, io, run).helpGroup(`Commands of plugin "${plugin}":`);
      checkCommandNames(program, command, plugin, pluginOf);
      for (const option of command.options) checkFlags(option, `the option "${option.flags}" of its command "${spec.name}"`, plugin, globals());
      pluginOf.set(command, plugin);
      program.addCommand(command.copyInheritedSettings(program));
    }
  }
  for (const source of sources) {
    for (const { plugin, spec } of source.cliOptions()) {
      const option = toOption(spec).helpGroup(`Options of plugin "${plugin}":`);
      checkFlags(option, `the global option "${option.flags}"`, plugin, [...globals(), ...commandOptions()]);
      pluginOf.set(option, plugin);
      program.addOption(option);
    }
  }
  const withPreload = sources.filter((s) => s.hasHook('userPreloadOptions'));
  if (withPreload.length === 0) return;
  program.hook('preAction', async (root, actionCommand) => {
    const payload = { command: actionCommand.name(), options: { ...root.opts() } };
    for (const source of withPreload) await source.runHook('userPreloadOptions', payload);
  });
}

/** `q's own` or `plugin "x"'s`. */
function ownerOf(plugin: string | undefined): string {
  return plugin === undefined ? "q's own" : `plugin "${plugin}"'s`;
}

function checkCommandNames(program: Command, command: Command, plugin: string, pluginOf: ReadonlyMap<Command | Option, string>): void {
  for (const name of [command.name(), ...command.aliases()]) {
    const other = program.commands.find((c) => c.name() === name || c.aliases().includes(name));
    const taken = other !== undefined ? `${ownerOf(pluginOf.get(other))} command "${other.name()}"` : name === 'help' ? `q's own command "help"` : null;
    if (taken !== null) {
      throw new PluginError('Q_ERR_CLI_CLASH', `plugin "${plugin}" adds the command "${name}", which clashes with ${taken}`);
    }
  }
}

function checkFlags(option: Option, what: string, plugin: string, taken: readonly TakenFlag[]): void {
  const flags = [option.short, option.long].filter((f): f is string => f !== undefined);
  for (const other of taken) {
    const flag = flags.find((f) => f === other.option.short || f === other.option.long);
    if (flag !== undefined) throw new PluginError('Q_ERR_CLI_CLASH', `plugin "${plugin}" adds ${what}, whose ${flag} clashes with ${other.label}`);
  }
}

/** A commander command for a plugin's spec. */
function toCommand(spec: CliCommandSpec<unknown>, io: CliIo, run: RunState): Command {
  const command = new Command(spec.name).description(spec.description);
  for (const alias of spec.aliases ?? []) command.alias(alias);
  for (const arg of spec.arguments ?? []) command.addArgument(toArgument(arg));
  for (const option of spec.options ?? []) command.addOption(toOption(option));
  return command.action(async (...params: unknown[]) => {
    await runPluginCommand(spec, params[params.length - 1] as Command, io, run);
  });
}

/** A commander option for a spec; `parse` and `choices` throw usage errors (exit 2). */
export function toOption(spec: CliOptionSpec): Option {
  const option = new Option(spec.flags, spec.description);
  if (spec.default !== undefined) option.default(spec.default);
  if (spec.choices !== undefined) option.choices(spec.choices);
  if (spec.env !== undefined) option.env(spec.env);
  if (spec.required === true) option.makeOptionMandatory();
  if (spec.hidden === true) option.hideHelp();
  const parse = spec.parse;
  if (parse !== undefined) {
    const choices = spec.choices;
    option.argParser((value: string, previous: unknown) => {
      if (choices !== undefined && !choices.includes(value)) throw new InvalidArgumentError(`Allowed choices are ${choices.join(', ')}.`);
      return usage(() => parse(value, previous));
    });
  }
  return option;
}

function toArgument(spec: CliArgumentSpec): Argument {
  const required = spec.required ?? true;
  const name = `${spec.name}${spec.variadic === true ? '...' : ''}`;
  const argument = new Argument(required ? `<${name}>` : `[${name}]`, spec.description ?? '');
  if (spec.default !== undefined) argument.default(spec.default);
  const parse = spec.parse;
  if (parse !== undefined) {
    argument.argParser((value: string, previous: unknown) => {
      const parsed = usage(() => parse(value));
      if (spec.variadic !== true) return parsed;
      return previous === spec.default || !Array.isArray(previous) ? [parsed] : [...(previous as unknown[]), parsed];
    });
  }
  return argument;
}

/** Runs a plugin's parser; a throw becomes commander's usage error with the throw's message. */
function usage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof InvalidArgumentError) throw err;
    throw new InvalidArgumentError(err instanceof Error ? err.message : String(err));
  }
}
