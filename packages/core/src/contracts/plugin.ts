/**
 * The one plugin interface. A plugin has a name and a `setup(api)`; through `api` it provides adapters
 * (registering URL schemes, as kombu's aliases do), serializers, codecs, pools, bootsteps, and subscribes
 * to hooks that mirror Celery's signals.
 */
import type { BeatLockFactory, BeatStoreFactory } from './beat-state.js';
import type { Bootstep } from './bootstep.js';
import type { CliCommandSpec, CliOptionSpec } from './cli-extension.js';
import type { ControlCommandRegistration } from './control-command.js';
import type { Logger } from './logger.js';
import type { PoolRegistration } from './pool.js';
import type { KeyValueDriver, ResultBackend } from './result-backend.js';
import type { Codec, Serializer } from './serializer.js';
import type { QueueDriver } from './queue-driver.js';
import type { ScheduleRegistration } from './schedule.js';
import type { Transport } from './transport.js';
import type { ResolvedConfig } from '../config/resolved-config.js';
import type { HookName, HookHandler } from './hooks.js';

/** What a URL factory receives. */
export interface UrlFactoryContext {
  /** The full URL as configured (`redis://:pw@host:6379/0`). */
  url: string;
  /** Parsed form. */
  parsed: URL;
  /** Adapter options from config (`broker.transportOptions` / `result.backendOptions`). */
  options: Record<string, unknown>;
  logger: Logger;
  /**
   * Brokers only: `brokerOptions.connectionTimeout` (Celery's `broker_connection_timeout`) in ms, for the adapter to
   * use as its connect timeout unless its own option or the URL sets one (`withDefaultOption`).
   */
  connectTimeoutMs?: number;
  /**
   * Brokers only, when set: `brokerOptions.visibilityTimeout` in ms, for an adapter with a visibility timeout to use
   * as the default of its own option (Redis `visibility_timeout`) unless that option or the URL sets one
   * (`withDefaultOption`). Absent: the adapter's own default applies.
   */
  visibilityTimeoutMs?: number;
}

/** Creates a transport (full or driver) from a URL. */
export type TransportFactory = (ctx: UrlFactoryContext) => Transport | QueueDriver;
/** Creates a result backend (full or key-value driver) from a URL. */
export type BackendFactory = (ctx: UrlFactoryContext) => ResultBackend | KeyValueDriver;

/** A logical clock (Celery's Lamport clock; `LamportClock` of `@q/core` is one). */
export interface LogicalClock {
  readonly value: number;
  /** Another node's clock was `other`: move past it. Returns the new value. */
  adjust(other: number): number;
  /** A local event: one tick. Returns the new value. */
  forward(): number;
}

/** What a plugin sees of the app it is set up for (for plugins that publish, such as `@q/events`' `task-sent`). */
export interface PluginAppView {
  /** The app's resolved configuration. */
  readonly conf: ResolvedConfig;
  /** The app's logical clock (Celery's `app.clock`). */
  readonly clock: LogicalClock;
  /** The app's connected transport (connects it when needed). */
  getTransport(): Promise<Transport>;
}

/** What a plugin can do during `setup`. */
export interface PluginApi {
  /** Register a transport for URL schemes (`['redis', 'rediss']`). */
  transport(schemes: string | readonly string[], factory: TransportFactory): void;
  /** Register a result backend for URL schemes. */
  backend(schemes: string | readonly string[], factory: BackendFactory): void;
  serializer(serializer: Serializer): void;
  codec(codec: Codec): void;
  /** Register a pool by name: a {@link PoolRegistration} (a definition declaring its concurrency, or a bare factory). */
  pool(name: string, pool: PoolRegistration): void;
  bootstep(step: Bootstep): void;
  /**
   * Register a remote-control action (Celery's `@control_command`): workers run it when a pidbox request names it
   * and reply `{ok: …}` / `{error: …}`; `app.control.broadcast(name, …)` and `q control <name>` call it.
   */
  controlCommand(command: ControlCommandRegistration): void;
  /** Register an inspect command (Celery's `@inspect_command`): replied with the handler's value; `q inspect <name>`. */
  inspectCommand(command: ControlCommandRegistration): void;
  /**
   * Add a subcommand to `q` (Celery's `celery.commands` entry points): `q -A <app> <name>` runs `spec.action`. `A` is
   * what `context.loadApp()` gives (`@q/cli` passes its `App`: write `api.cliCommand<App>({ … })`).
   */
  cliCommand<A = PluginAppView>(spec: CliCommandSpec<A>): void;
  /**
   * Add a global option to `q` (Celery's `app.user_options['preload']`): accepted before or after any command, its
   * value is in every command's `globals` and in the `userPreloadOptions` hook's payload.
   */
  cliOption(spec: CliOptionSpec): void;
  /** Register a schedule kind (beyond `every`, `crontab`, `solar`): how `@q/beat` reads its stored or configured form. */
  schedule(registration: ScheduleRegistration): void;
  /** Register a beat store for URL schemes (`api.beatStore(['redis', 'rediss'], …)`): where `@q/beat` keeps last-run times. */
  beatStore(schemes: string | readonly string[], factory: BeatStoreFactory): void;
  /** Register a beat lock for URL schemes: the lease that lets one of several beats send (highly available beat). */
  beatLock(schemes: string | readonly string[], factory: BeatLockFactory): void;
  /** Subscribe to a hook. */
  hook<N extends HookName>(name: N, handler: HookHandler<N>): void;
  logger: Logger;
  /** The app the plugin is set up for; absent when a plugin host runs without one (tests). */
  app?: PluginAppView;
}

/** A plugin. */
export interface Plugin {
  readonly name: string;
  /**
   * Semver range of `@q/core` this plugin works with (npm's reading, e.g. `^1.2.0`). Checked when the plugin is used,
   * before `setup`: a running `@q/core` outside it is a `PluginError` `Q_ERR_PLUGIN_INCOMPATIBLE`. Omit it to skip
   * the check (q's own adapters declare `@q/core` as a peer dependency instead).
   */
  readonly qCore?: string;
  setup(api: PluginApi): void | Promise<void>;
}
