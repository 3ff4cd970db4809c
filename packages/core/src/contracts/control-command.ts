/**
 * A remote-control command (Celery's `@control_command` / `@inspect_command`): a name, how the CLI reads its
 * arguments, and a handler the worker runs when a pidbox request names it. Plugins register them with
 * `api.controlCommand` / `api.inspectCommand`; the worker's own commands (`ping`, `revoke`, `stats`, …) have the same
 * shape. `W` is what the worker hands the handler: `@q/worker` passes its `Worker`.
 */
import type { Logger } from './logger.js';

/** `control`: an action, replied as `{ok: …}` / `{error: …}`; `inspect`: a question, replied with the value itself. */
export type ControlCommandType = 'control' | 'inspect';

/** How the CLI turns a positional argument into the value sent (`q control my_cmd 3 on`). */
export type ControlArgType = 'string' | 'number' | 'boolean' | 'json';

/** A positional argument of a command, as the CLI reads it (Celery's `args=[('n', int)]`). */
export interface ControlCommandArg {
  /** The argument's name in the request's `arguments` (Celery's, snake_case, for commands Python also sends). */
  readonly name: string;
  readonly type: ControlArgType;
}

/** What a command's handler gets besides its arguments. */
export interface ControlCommandContext<W = unknown> {
  /** The worker running the command. */
  readonly worker: W;
  /** The worker's node name (`celery@host`). */
  readonly hostname: string;
  readonly logger: Logger;
  /** The request's method (the command's name, or the alias it was called by). */
  readonly method: string;
}

/** A remote-control command. */
export interface ControlCommand<W = unknown> {
  /** The method name on the wire (`ping`, `rate_limit`, a plugin's `my_cmd`). */
  readonly name: string;
  readonly type: ControlCommandType;
  /** Positional arguments for the CLI, in order. */
  readonly args?: readonly ControlCommandArg[];
  /** The name under which the CLI sends the remaining positional arguments as a list (Celery's `variadic`). */
  readonly variadic?: string;
  /** Shown by `q control --help` / `q inspect --help` after the name (Celery's `signature`), e.g. `<task_name> <rate>`. */
  readonly signature?: string;
  /** One line for `--help`. */
  readonly help?: string;
  /**
   * Runs the command with the request's `arguments`. What it returns (or resolves to) is the reply: for `control`
   * commands a `{ok}` / `{error}` object (a plain value is sent as `{ok: value}`), for `inspect` commands the value. A
   * throw is replied as `{error: "<ErrorName>('<message>')"}`, as Celery replies a handler's exception.
   */
  handler(context: ControlCommandContext<W>, args: Record<string, unknown>): unknown;
}

/** What a plugin registers: a command without its `type` (given by `api.controlCommand` / `api.inspectCommand`). */
export type ControlCommandRegistration<W = unknown> = Omit<ControlCommand<W>, 'type'>;
