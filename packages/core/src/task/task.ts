/**
 * `Task<A, R, K>`: a registered task function with Celery's calling API (`delay`, `applyAsync`, `s`, `si`).
 * `A` is the tuple of positional arguments (without the bound context), `R` the function's return type, `K` the
 * keyword arguments a call may pass ({@link TaskKwargs}: named when the task declares `params`).
 */
import type { AsyncResult } from '../result/async-result.js';
import { bindArguments, declaredParams, parseParams, type ParamSpec } from './params.js';
import { Signature } from './signature.js';
import type { MessageDefaults, ResolvedTaskOptions } from './task-options.js';
import type { ApplyOptions, TaskContext, TaskKwargs } from './types.js';

/** What a task needs from its app: sending one call (the app routes, builds and publishes the message). */
export interface TaskHost {
  send<T>(
    name: string,
    args: readonly unknown[],
    kwargs: Readonly<Record<string, unknown>>,
    options: ApplyOptions,
    defaults: MessageDefaults,
  ): Promise<AsyncResult<T>>;
}

/** A task function, with or without the bound context first. */
export type TaskFunction<A extends unknown[], R> = ((...args: A) => R) | ((ctx: TaskContext, ...args: A) => R);

/** A registered task. Create one with `app.task(...)`. */
export class Task<A extends unknown[] = unknown[], R = unknown, K extends object = TaskKwargs<A>> {
  /** The registered name (`tasks.add`). */
  readonly name: string;
  /** Options with `conf.task` defaults applied. */
  readonly options: ResolvedTaskOptions;
  /** Positional parameter names keyword arguments map to (`null` for a destructured one). */
  readonly params: readonly (string | null)[];
  readonly #host: TaskHost;
  readonly #fn: (...args: unknown[]) => unknown;
  readonly #spec: ParamSpec;

  constructor(host: TaskHost, options: ResolvedTaskOptions, fn: TaskFunction<A, R>) {
    this.#host = host;
    this.name = options.name;
    this.options = options;
    this.#fn = fn as (...args: unknown[]) => unknown;
    const skip = options.bind ? 1 : 0;
    this.#spec = options.params ? declaredParams(options.params, this.#fn, skip) : parseParams(this.#fn, skip);
    this.params = this.#spec.names;
  }

  /** Sends the task with positional arguments (Celery `delay`). */
  delay(...args: A): Promise<AsyncResult<Awaited<R>>> {
    return this.applyAsync(args);
  }

  /**
   * Sends the task (Celery `apply_async`). `args` may be a prefix of the parameters when the rest come as
   * `kwargs` (mapped to positions by the worker, see {@link Task.bindArguments}). `kwargs` is typed by
   * {@link TaskKwargs}: by name and position when the task declares `params`, by value otherwise.
   */
  applyAsync(args?: Partial<A>, kwargs?: K, options: ApplyOptions = {}): Promise<AsyncResult<Awaited<R>>> {
    return this.#host.send<Awaited<R>>(this.name, args ?? [], (kwargs ?? {}) as Readonly<Record<string, unknown>>, options, this.options);
  }

  /** A signature with partial arguments: the parent's result is prepended when used as a callback. */
  s(...args: Partial<A>): Signature {
    return new Signature(this.name, args);
  }

  /** An immutable signature: called with exactly these arguments. */
  si(...args: Partial<A>): Signature {
    return new Signature(this.name, args, {}, { immutable: true });
  }

  /** A signature with keyword arguments and wire options (`task_id`, `queue`, …). */
  signature(args: Partial<A> | readonly unknown[] = [], kwargs?: K, options: Record<string, unknown> = {}): Signature {
    return new Signature(this.name, args, (kwargs ?? {}) as Readonly<Record<string, unknown>>, { options });
  }

  /**
   * Maps a call's `args` and `kwargs` onto the function's positions, as Python binds a call: keywords go to the
   * parameter of that name (from `options.params` or the function's source text); a keyword naming no parameter is
   * an error unless `acceptsKwargs` (then they are passed together as one object, the last parameter); a missing
   * required parameter is an error; optional ones left out are `undefined` so JS defaults apply.
   * @throws QError `Q_ERR_TASK_ARGUMENTS`
   */
  bindArguments(args: readonly unknown[], kwargs: Readonly<Record<string, unknown>>): unknown[] {
    return bindArguments(this.name, this.#spec, args, kwargs, this.options.acceptsKwargs);
  }

  /**
   * Runs the function in this process (the worker calls this): binds arguments, passes `ctx` first when bound.
   * Not `async` (it runs for every task): an error binding or calling becomes the returned promise's rejection.
   */
  run(ctx: TaskContext, args: readonly unknown[], kwargs: Readonly<Record<string, unknown>>): Promise<Awaited<R>> {
    try {
      const positional = this.bindArguments(args, kwargs);
      const value = this.options.bind ? this.#fn(ctx, ...positional) : this.#fn(...positional);
      return Promise.resolve(value) as Promise<Awaited<R>>;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  toString(): string {
    return `<@task: ${this.name}>`;
  }
}
