/**
 * The plugin host: runs each plugin's `setup(api)` once and keeps what it registered — transport and backend
 * factories by URL scheme, serializers and codecs (into the app's {@link SerializerRegistry}), pools,
 * bootsteps, schedule kinds, beat stores and locks by URL scheme, and hook handlers. `runHook` runs handlers in the mode {@link HOOK_MODES} declares and wraps a
 * handler's error in a {@link PluginError} naming the plugin and the hook.
 */
import type { BeatLockFactory, BeatStoreFactory } from '../contracts/beat-state.js';
import type { Bootstep } from '../contracts/bootstep.js';
import type { CliCommandSpec, CliOptionSpec, RegisteredCli } from '../contracts/cli-extension.js';
import type { ControlCommand, ControlCommandRegistration, ControlCommandType } from '../contracts/control-command.js';
import { HOOK_MODES, type HookHandler, type HookName, type HookPayloads } from '../contracts/hooks.js';
import type { Logger } from '../contracts/logger.js';
import { silentLogger } from '../contracts/logger.js';
import type { BackendFactory, Plugin, PluginApi, PluginAppView, TransportFactory } from '../contracts/plugin.js';
import type { PoolRegistration } from '../contracts/pool.js';
import type { ScheduleRegistration } from '../contracts/schedule.js';
import type { Codec, Serializer } from '../contracts/serializer.js';
import { PluginError } from '../errors/q-error.js';
import { CORE_VERSION } from '../version.js';
import { checkCoreRange } from './core-range.js';

/** Where serializers and codecs registered by plugins go (the app's `SerializerRegistry`). */
export interface SerializerSink {
  register(serializer: Serializer): void;
  registerCodec(codec: Codec): void;
}

/** Options of {@link PluginHost}. */
export interface PluginHostOptions {
  serializers?: SerializerSink;
  logger?: Logger;
  /** The `@q/core` version plugins' `qCore` ranges are checked against (tests); default: the running one. */
  coreVersion?: string;
  /** The app plugins see as `api.app`. */
  app?: PluginAppView;
}

interface Registered<T> {
  plugin: string;
  value: T;
}

/** Registers plugins and runs their hooks. */
export class PluginHost {
  readonly #plugins = new Map<string, Plugin>();
  readonly #transports = new Map<string, Registered<TransportFactory>>();
  readonly #backends = new Map<string, Registered<BackendFactory>>();
  readonly #pools = new Map<string, Registered<PoolRegistration>>();
  readonly #bootsteps: Registered<Bootstep>[] = [];
  readonly #commands = new Map<string, Registered<ControlCommand>>();
  readonly #hooks = new Map<HookName, Registered<HookHandler<HookName>>[]>();
  readonly #cliCommands: RegisteredCli<CliCommandSpec<unknown>>[] = [];
  readonly #cliOptions: RegisteredCli<CliOptionSpec>[] = [];
  readonly #schedules = new Map<string, Registered<ScheduleRegistration>>();
  readonly #beatStores = new Map<string, Registered<BeatStoreFactory>>();
  readonly #beatLocks = new Map<string, Registered<BeatLockFactory>>();
  readonly #serializers: SerializerSink | undefined;
  readonly #logger: Logger;
  readonly #coreVersion: string;
  readonly #app: PluginAppView | undefined;

  constructor(options: PluginHostOptions = {}) {
    this.#app = options.app;
    this.#serializers = options.serializers;
    this.#logger = options.logger ?? silentLogger;
    this.#coreVersion = options.coreVersion ?? CORE_VERSION;
  }

  /**
   * Sets a plugin up. @throws PluginError `Q_ERR_PLUGIN_DUPLICATE` when a plugin of that name is already in use,
   * `Q_ERR_PLUGIN_INCOMPATIBLE` when its `qCore` range does not take the running `@q/core` (before `setup` runs),
   * `Q_ERR_PLUGIN_FAILED` when its `setup` throws (what it registered before throwing is kept).
   */
  async use(plugin: Plugin): Promise<void> {
    if (this.#plugins.has(plugin.name)) {
      throw new PluginError('Q_ERR_PLUGIN_DUPLICATE', `plugin "${plugin.name}" is already in use`);
    }
    if (plugin.qCore !== undefined) checkCoreRange(plugin.name, plugin.qCore, this.#coreVersion);
    this.#plugins.set(plugin.name, plugin);
    try {
      await plugin.setup(this.#apiFor(plugin.name));
    } catch (err) {
      if (err instanceof PluginError) throw err;
      throw new PluginError('Q_ERR_PLUGIN_FAILED', `plugin "${plugin.name}" failed in setup: ${messageOf(err)}`, {
        cause: err,
      });
    }
    this.#logger.debug({ plugin: plugin.name }, 'plugin set up');
  }

  /** Whether a plugin of this name is in use. */
  has(name: string): boolean {
    return this.#plugins.has(name);
  }

  /** Names of the plugins in use, in order. */
  names(): string[] {
    return [...this.#plugins.keys()];
  }

  /** The transport factory registered for a URL scheme (without `:`). */
  transportFactory(scheme: string): TransportFactory | undefined {
    return this.#transports.get(scheme.toLowerCase())?.value;
  }

  /** The backend factory registered for a URL scheme. */
  backendFactory(scheme: string): BackendFactory | undefined {
    return this.#backends.get(scheme.toLowerCase())?.value;
  }

  /** Registered transport schemes, sorted. */
  transportSchemes(): string[] {
    return [...this.#transports.keys()].sort();
  }

  /** Registered backend schemes, sorted. */
  backendSchemes(): string[] {
    return [...this.#backends.keys()].sort();
  }

  /** A pool by name, as its plugin registered it (a definition or a bare factory). */
  pool(name: string): PoolRegistration | undefined {
    return this.#pools.get(name)?.value;
  }

  /** Registered pool names, sorted. */
  poolNames(): string[] {
    return [...this.#pools.keys()].sort();
  }

  /** Bootsteps registered by plugins, in registration order. */
  bootsteps(): Bootstep[] {
    return this.#bootsteps.map((b) => b.value);
  }

  /** Remote-control commands registered by plugins (`api.controlCommand`, `api.inspectCommand`), by name. */
  controlCommands(): ControlCommand[] {
    return [...this.#commands.values()].map((c) => c.value);
  }

  /**
   * The `q` subcommands plugins added (`api.cliCommand`), in registration order, each with its plugin's name. Clashes
   * between them, or with q's own commands, are for the command line to report: it knows its own.
   */
  cliCommands(): RegisteredCli<CliCommandSpec<unknown>>[] {
    return [...this.#cliCommands];
  }

  /** The global `q` options plugins added (`api.cliOption`), in registration order, each with its plugin's name. */
  cliOptions(): RegisteredCli<CliOptionSpec>[] {
    return [...this.#cliOptions];
  }

  /** The schedule kind a plugin registered (`api.schedule`) for a {@link ScheduleRegistration.kind}. */
  scheduleKind(kind: string): ScheduleRegistration | undefined {
    return this.#schedules.get(kind)?.value;
  }

  /** Schedule kinds registered by plugins, sorted. */
  scheduleKinds(): string[] {
    return [...this.#schedules.keys()].sort();
  }

  /** The beat store factory registered for a URL scheme (`api.beatStore`). */
  beatStoreFactory(scheme: string): BeatStoreFactory | undefined {
    return this.#beatStores.get(scheme.toLowerCase())?.value;
  }

  /** The beat lock factory registered for a URL scheme (`api.beatLock`). */
  beatLockFactory(scheme: string): BeatLockFactory | undefined {
    return this.#beatLocks.get(scheme.toLowerCase())?.value;
  }

  /** Registered beat store schemes, sorted. */
  beatStoreSchemes(): string[] {
    return [...this.#beatStores.keys()].sort();
  }

  /** Registered beat lock schemes, sorted. */
  beatLockSchemes(): string[] {
    return [...this.#beatLocks.keys()].sort();
  }

  /** Whether any handler listens to `name` (lets callers skip building a payload). */
  hasHook(name: HookName): boolean {
    return (this.#hooks.get(name)?.length ?? 0) > 0;
  }

  /**
   * Runs the handlers of a hook: `sequential` hooks one after another in registration order (a handler may
   * edit the payload), `parallel` hooks all at once. The first error is wrapped in a `PluginError`
   * (`Q_ERR_HOOK_FAILED`) that names the plugin and the hook; for parallel hooks every handler still runs.
   */
  async runHook<N extends HookName>(name: N, payload: HookPayloads[N]): Promise<void> {
    const handlers = this.#hooks.get(name);
    if (!handlers || handlers.length === 0) return;
    const call = async (h: Registered<HookHandler<HookName>>): Promise<void> => {
      try {
        await (h.value as HookHandler<N>)(payload);
      } catch (err) {
        throw new PluginError('Q_ERR_HOOK_FAILED', `plugin "${h.plugin}" failed in hook "${name}": ${messageOf(err)}`, {
          cause: err,
        });
      }
    };
    if (HOOK_MODES[name] === 'sequential') {
      for (const h of [...handlers]) await call(h);
      return;
    }
    const outcomes = await Promise.allSettled(handlers.map(call));
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
  }

  #apiFor(plugin: string): PluginApi {
    const logger = this.#logger.child({ plugin });
    const schemesOf = (schemes: string | readonly string[]): string[] =>
      (typeof schemes === 'string' ? [schemes] : [...schemes]).map((s) => s.toLowerCase().replace(/:$/, ''));
    const put = <T>(map: Map<string, Registered<T>>, what: string, key: string, value: T): void => {
      const previous = map.get(key);
      if (previous) logger.debug({ [what]: key, previous: previous.plugin }, `${what} "${key}" replaced`);
      map.set(key, { plugin, value });
    };
    return {
      transport: (schemes, factory) => {
        for (const s of schemesOf(schemes)) put(this.#transports, 'transport', s, factory);
      },
      backend: (schemes, factory) => {
        for (const s of schemesOf(schemes)) put(this.#backends, 'backend', s, factory);
      },
      serializer: (serializer) => this.#sink(plugin).register(serializer),
      codec: (codec) => this.#sink(plugin).registerCodec(codec),
      pool: (name, pool) => put(this.#pools, 'pool', name, pool),
      bootstep: (step) => {
        this.#bootsteps.push({ plugin, value: step });
      },
      controlCommand: (command) => put(this.#commands, 'control command', command.name, commandOf(command, 'control')),
      inspectCommand: (command) => put(this.#commands, 'control command', command.name, commandOf(command, 'inspect')),
      cliCommand: (spec) => {
        this.#cliCommands.push({ plugin, spec: checkCliCommand(plugin, spec as CliCommandSpec<unknown>) });
      },
      cliOption: (spec) => {
        this.#cliOptions.push({ plugin, spec: checkCliOption(plugin, spec, null) });
      },
      schedule: (registration) => {
        if (typeof registration.kind !== 'string' || registration.kind === '' || typeof registration.fromJSON !== 'function') {
          throw new PluginError('Q_ERR_PLUGIN_FAILED', `plugin "${plugin}" registered a schedule without a kind and a fromJSON`);
        }
        put(this.#schedules, 'schedule', registration.kind, registration);
      },
      beatStore: (schemes, factory) => {
        for (const s of schemesOf(schemes)) put(this.#beatStores, 'beat store', s, factory);
      },
      beatLock: (schemes, factory) => {
        for (const s of schemesOf(schemes)) put(this.#beatLocks, 'beat lock', s, factory);
      },
      hook: (name, handler) => {
        if (!(name in HOOK_MODES)) {
          throw new PluginError('Q_ERR_PLUGIN_FAILED', `plugin "${plugin}" subscribed to unknown hook "${String(name)}"`);
        }
        const list = this.#hooks.get(name) ?? [];
        list.push({ plugin, value: handler as HookHandler<HookName> });
        this.#hooks.set(name, list);
      },
      logger,
      ...(this.#app === undefined ? {} : { app: this.#app }),
    };
  }

  #sink(plugin: string): SerializerSink {
    if (!this.#serializers) {
      throw new PluginError('Q_ERR_PLUGIN_FAILED', `plugin "${plugin}" registered a serializer, but this host has no registry`);
    }
    return this.#serializers;
  }
}

function commandOf(command: ControlCommandRegistration, type: ControlCommandType): ControlCommand {
  if (typeof command.name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(command.name)) {
    throw new PluginError('Q_ERR_PLUGIN_FAILED', `a ${type} command needs a name of letters, digits and underscores, got ${JSON.stringify(command.name)}`);
  }
  if (typeof command.handler !== 'function') throw new PluginError('Q_ERR_PLUGIN_FAILED', `${type} command "${command.name}" has no handler`);
  return { ...command, type };
}

const CLI_NAME = /^[A-Za-z][A-Za-z0-9-]*$/;

/** Checks the shape of a plugin's `q` subcommand (the spec is plain data from JavaScript too). */
function checkCliCommand(plugin: string, spec: CliCommandSpec<unknown>): CliCommandSpec<unknown> {
  const fail = (why: string): never => {
    throw new PluginError('Q_ERR_PLUGIN_FAILED', `plugin "${plugin}" added a q command ${why}`);
  };
  for (const name of [spec.name, ...(spec.aliases ?? [])]) {
    if (typeof name !== 'string' || !CLI_NAME.test(name)) {
      fail(`named ${JSON.stringify(name)}: a command name is letters, digits and "-", starting with a letter`);
    }
  }
  if (typeof spec.action !== 'function') fail(`"${spec.name}" without an action`);
  const args = spec.arguments ?? [];
  args.forEach((arg, i) => {
    if (typeof arg.name !== 'string' || !/^[A-Za-z_$][\w$-]*$/.test(arg.name)) fail(`"${spec.name}" with an argument named ${JSON.stringify(arg.name)}`);
    if (arg.variadic === true && i !== args.length - 1) fail(`"${spec.name}" whose variadic argument "${arg.name}" is not the last`);
  });
  for (const option of spec.options ?? []) checkCliOption(plugin, option, spec.name);
  return spec;
}

/** Checks the shape of an option (global, or of the command `command`): a short or long flag, and a description. */
function checkCliOption(plugin: string, spec: CliOptionSpec, command: string | null): CliOptionSpec {
  const kind = command === null ? 'global option' : 'option';
  const of = command === null ? '' : ` of command "${command}"`;
  if (typeof spec.flags !== 'string' || !/(^|[ ,|])--?[A-Za-z0-9]/.test(spec.flags)) {
    throw new PluginError('Q_ERR_PLUGIN_FAILED', `plugin "${plugin}" added a ${kind}${of} with flags ${JSON.stringify(spec.flags)}: expected e.g. "-s, --shout" or "--config-file <path>"`);
  }
  if (typeof spec.description !== 'string') {
    throw new PluginError('Q_ERR_PLUGIN_FAILED', `plugin "${plugin}" added the ${kind} "${spec.flags}"${of} without a description`);
  }
  return spec;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
