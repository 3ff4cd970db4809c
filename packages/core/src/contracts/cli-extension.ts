/**
 * What a plugin adds to the `q` command line (Celery's `celery.commands` entry points and
 * `app.user_options['preload']`): subcommands and global options, as declarative specs. `@q/cli` turns them into its
 * own commands and options; core knows nothing of the argument parser. Plugins register them with `api.cliCommand` and
 * `api.cliOption`; the values of the global options reach plugins in each command's context and, before any command
 * runs, through the `userPreloadOptions` hook.
 */
import type { Logger } from './logger.js';

/** Where a command writes its output (`process.stdout`/`process.stderr` in `q`, a buffer in tests). */
export interface CliWriter {
  write(text: string): void;
}

/**
 * An option, of a command or global: `flags` in the usual form, a short flag optional, a value named in `<…>`
 * (required) or `[…]` (optional), none for a boolean flag: `'-s, --shout'`, `'--config-file <path>'`,
 * `'--level [n]'`, `'--tag <name...>'` (repeatable). A `--no-x` flag is a negated boolean.
 */
export interface CliOptionSpec {
  readonly flags: string;
  /** One line for `--help`. */
  readonly description: string;
  /** The value when the option is not given (shown by `--help`). */
  readonly default?: string | number | boolean | readonly string[];
  /** The only values accepted (anything else is a usage error listing them). */
  readonly choices?: readonly string[];
  /** An environment variable read when the option is not given on the line. */
  readonly env?: string;
  /** The option must be given (a usage error names it otherwise). */
  readonly required?: boolean;
  /** Hidden from `--help`. */
  readonly hidden?: boolean;
  /**
   * Turns the text into the value (`Number`, a JSON parse…); `previous` is the value so far (the default, or the
   * previous occurrence). A throw is a usage error, exit 2, with the throw's message.
   */
  parse?(value: string, previous: unknown): unknown;
}

/** A positional argument of a command. */
export interface CliArgumentSpec {
  /** Its key in {@link CliCommandContext.args}, and its name in the usage line (`<name>`). */
  readonly name: string;
  /** One line for `--help`. */
  readonly description?: string;
  /** Default `true`: a missing argument is a usage error. */
  readonly required?: boolean;
  /** Takes the rest of the line, as a list (only the last argument may). */
  readonly variadic?: boolean;
  /** The value of an optional argument left out. */
  readonly default?: unknown;
  /** Turns the text into the value (for a variadic argument, each item). A throw is a usage error, exit 2. */
  parse?(value: string): unknown;
}

/**
 * What a command's action gets. `A` is the app `loadApp` gives: `@q/cli` passes its `App`; `api.cliCommand` types it
 * as the plugin's view of the app (`PluginAppView`) unless told otherwise.
 */
export interface CliCommandContext<A = unknown> {
  /** The command's name. */
  readonly command: string;
  /** The positional arguments, by {@link CliArgumentSpec.name} (a variadic one as a list). */
  readonly args: Readonly<Record<string, unknown>>;
  /** The command's own options, by the camel-cased long flag (`--dry-run` → `dryRun`). */
  readonly options: Readonly<Record<string, unknown>>;
  /** The global options, q's own (`app`, `broker`, `loglevel`, …) and the plugins', keyed the same way. */
  readonly globals: Readonly<Record<string, unknown>>;
  /**
   * The app of `-A` (or the default app, configured by `-b`/`--result-backend`/`--embedded-dir`), loaded on the first
   * call; the command line closes it once the action is done.
   */
  loadApp(): Promise<A>;
  readonly stdout: CliWriter;
  readonly stderr: CliWriter;
  /** The command's logger (`-l`, `--log-format`), writing to stderr. */
  readonly logger: Logger;
}

/**
 * A subcommand of `q` (Celery's `celery.commands` entry point). Its action's return value sets the exit code: a
 * number is the code, anything else is `0`; a throw prints `error: <message>` on stderr and exits 1.
 */
export interface CliCommandSpec<A = unknown> {
  /** `q <name>`: letters, digits and `-`, starting with a letter; must not be a built-in command's or another plugin's. */
  readonly name: string;
  /** One line for `q --help` and `q <name> --help`. */
  readonly description: string;
  /** Other names the command answers to (checked for clashes as the name is). */
  readonly aliases?: readonly string[];
  /** Positional arguments, in order. */
  readonly arguments?: readonly CliArgumentSpec[];
  readonly options?: readonly CliOptionSpec[];
  action(context: CliCommandContext<A>): unknown;
}

/** A command or global option as a plugin registered it. */
export interface RegisteredCli<T> {
  /** The plugin's name (named in clash errors). */
  readonly plugin: string;
  readonly spec: T;
}
