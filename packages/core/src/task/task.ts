/**
 * `Task<A, R, K>`: a registered task function with Celery's calling API (`delay`, `applyAsync`, `s`, `si`).
 * `A` is the tuple of positional arguments (without the bound context), `R` the function's return type, `K` the
 * keyword arguments a call may pass ({@link TaskKwargs}: named when the task declares `params`).
 */
import type { CanvasApp } from '../canvas/canvas-app.js';
import type { Drop, Prefix } from '../canvas/canvas-types.js';
import { mapSignature, starmapSignature } from '../canvas/freeze.js';
import { Signature } from '../canvas/signature.js';
import type { EagerResult } from '../eager/eager-result.js';
import type { AsyncResult } from '../result/async-result.js';
import type { GroupResult } from '../result/group-result.js';
import { bindArguments, declaredParams, parseParams, type ParamSpec } from './params.js';
import type { MessageDefaults, ResolvedTaskOptions } from './task-options.js';
import type { ApplyOptions, EagerApplyOptions, TaskContext, TaskKwargs } from './types.js';

/**
 * What a task needs from its app: sending one call (the app routes, builds and publishes the message, or runs it
 * here with `task.alwaysEager`), and running one here (`apply`).
 */
export interface TaskHost {
  send<T>(
    name: string,
    args: readonly unknown[],
    kwargs: Readonly<Record<string, unknown>>,
    options: ApplyOptions,
    defaults: MessageDefaults,
  ): Promise<AsyncResult<T>>;
  /** Runs the task `name` in this process (`task.apply`). */
  apply<T>(name: string, args: readonly unknown[], kwargs: Readonly<Record<string, unknown>>, options: EagerApplyOptions): Promise<EagerResult<T>>;
  /** The app signatures of the task are sent through. */
  readonly canvas: CanvasApp;
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

  /** Sends the task with positional arguments (Celery `delay`); with `task.alwaysEager`, runs it here (an `EagerResult`). */
  delay(...args: A): Promise<AsyncResult<Awaited<R>>> {
    return this.applyAsync(args);
  }

  /**
   * Sends the task (Celery `apply_async`); with `task.alwaysEager`, runs it here as {@link Task.apply} does. `args` may be a prefix of the parameters when the rest come as
   * `kwargs` (mapped to positions by the worker, see {@link Task.bindArguments}). `kwargs` is typed by
   * {@link TaskKwargs}: by name and position when the task declares `params`, by value otherwise.
   */
  applyAsync(args?: Partial<A>, kwargs?: K, options: ApplyOptions = {}): Promise<AsyncResult<Awaited<R>>> {
    return this.#host.send<Awaited<R>>(this.name, args ?? [], (kwargs ?? {}) as Readonly<Record<string, unknown>>, options, this.options);
  }

  /**
   * Runs the task here, in this process, and resolves to its {@link EagerResult} (Celery's `apply`): an
   * `AsyncResult` whose state is known at once. The context has `isEager: true`; a retry runs again at once
   * (`countdown`/`eta` ignored, `maxRetries` honoured); `link`/`linkError` are applied here too. A failure is kept in
   * the result, or thrown with `throw: true` (default `task.eagerPropagates`). Nothing goes through the broker, and
   * states are stored only with `task.storeEagerResult`.
   * @throws NotRegisteredError when the task is not registered on its app; with `throw`, the task's error.
   * @example const result = await add.apply([2, 2]); await result.get() // 4
   */
  apply(args?: Partial<A>, kwargs?: K, options: EagerApplyOptions = {}): Promise<EagerResult<Awaited<R>>> {
    return this.#host.apply<Awaited<R>>(this.name, args ?? [], (kwargs ?? {}) as Readonly<Record<string, unknown>>, options);
  }

  /**
   * A signature with partial arguments (Celery's `s`): called later with more arguments in front of the remaining
   * parameters (a chain step or callback receives the previous result first). Typed: `add.s(2)` of
   * `(x: number, y: number) => number` is a `Signature<[y: number], number>`.
   */
  s<P extends Prefix<A>>(...args: P): Signature<Drop<A, P>, Awaited<R>> {
    return Signature.of<Drop<A, P>, Awaited<R>>(this.name, args, {}, { app: this.#host.canvas });
  }

  /** An immutable signature (Celery's `si`): called with exactly these arguments, never a previous result. */
  si<P extends Prefix<A>>(...args: P): Signature<Drop<A, P>, Awaited<R>, true> {
    return Signature.of<Drop<A, P>, Awaited<R>, true>(this.name, args, {}, { app: this.#host.canvas, immutable: true });
  }

  /** A signature with keyword arguments and `applyAsync` options (Celery's `signature`). */
  signature<P extends Prefix<A>>(args?: P, kwargs?: K, options: ApplyOptions = {}): Signature<Drop<A, P>, Awaited<R>> {
    return Signature.of<Drop<A, P>, Awaited<R>>(this.name, args ?? [], (kwargs ?? {}) as Readonly<Record<string, unknown>>, {
      app: this.#host.canvas,
      options,
    });
  }

  /**
   * Calls the task once per item of `items`, in one task on one worker (`celery.map`, Celery's `task.map`); its
   * result is the list of values. For a one-parameter task.
   */
  map(items: Iterable<A[0]>): Signature<[], Awaited<R>[], true> {
    const wire = mapSignature(Signature.of(this.name).toWire(), [...items]);
    return Signature.fromWire(wire, this.#host.canvas) as unknown as Signature<[], Awaited<R>[], true>;
  }

  /** Calls the task once per item, each item its positional arguments (`celery.starmap`, Celery's `task.starmap`). */
  starmap(items: Iterable<A>): Signature<[], Awaited<R>[], true> {
    const wire = starmapSignature(Signature.of(this.name).toWire(), [...items]);
    return Signature.fromWire(wire, this.#host.canvas) as unknown as Signature<[], Awaited<R>[], true>;
  }

  /**
   * Splits `items` (each the positional arguments of one call) into chunks of `n`, each run as one `starmap` task
   * (Celery's `task.chunks`); applied, it is a group: its `GroupResult` gives one list per chunk.
   */
  chunks(items: Iterable<A>, n: number): Signature<[], Awaited<R>[][], true, GroupResult<Awaited<R>[][]>> {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`chunks(items, n): n must be a positive integer, got ${String(n)}`);
    const wire = {
      task: 'celery.chunks',
      args: [],
      kwargs: { task: Signature.of(this.name).toWire(), it: [...items], n },
      options: {},
      subtask_type: 'chunks',
      immutable: true,
    };
    return Signature.fromWire(wire, this.#host.canvas) as unknown as Signature<[], Awaited<R>[][], true, GroupResult<Awaited<R>[][]>>;
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
