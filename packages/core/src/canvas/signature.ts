/**
 * Signatures: a task call (or a whole workflow) packed for later, as Celery's `Signature`. {@link Canvas} is
 * what every kind shares (options, links, freezing, the wire dict); {@link Signature} is one task's call
 * (`add.s(2)`, `echo.si('x')`, `app.signature('tasks.add', [1, 2])`, or any dict read with
 * `Signature.fromWire`). `chain`, `group`, `chord`, `chunks`, `map` and `starmap` are the other kinds.
 *
 * A canvas holds its Celery dict; applying it freezes and sends that dict (`apply-canvas.ts`), so one built in
 * TypeScript and one that came from Python go the same way. Like Celery's, a signature is changed in place by
 * `set`, `link`, `onError` and `freeze`; `clone` copies.
 */
import { SignatureError } from '../errors/q-error.js';
import type { WireSignature } from '../protocol/task-message.js';
import { wireOptionsOf } from '../publish/signature-call.js';
import type { ApplyOptions, SignatureLike } from '../task/types.js';
import type { AsyncResult } from '../result/async-result.js';
import type { GroupResult } from '../result/group-result.js';
import type { CanvasApp } from './canvas-app.js';
import { freezeCanvas } from './freeze.js';
import { readSignature } from './read-signature.js';
import { toWireSignature } from './to-wire.js';

/** Options of a {@link Signature} built directly (`new Signature(...)`). */
export interface SignatureInit {
  /** `applyAsync` options (`queue`, `countdown`, `link`, …). */
  options?: ApplyOptions;
  /** Immutable signatures do not receive the parent's result (`.si()`). */
  immutable?: boolean;
  /** The app that sends it (`task.s()` and `app.signature()` set it). */
  app?: CanvasApp | null;
}

/**
 * What every canvas kind shares. `P`: the parameters still to be passed (a chain step receives the previous
 * result as the first of them); `R`: the value its result gives; `I`: immutable; `H`: the handle of its result
 * (`AsyncResult<R>`, a group's `GroupResult<R>`).
 */
export abstract class Canvas<P extends unknown[] = unknown[], R = unknown, I extends boolean = boolean, H = AsyncResult<R>> {
  /** Types only (nothing at run time): what the canvas still takes and gives. */
  declare readonly __types?: { readonly params: P; readonly result: R; readonly immutable: I };
  #wire: WireSignature;
  #app: CanvasApp | null;

  /** Use `task.s()`, `app.signature()`, `Signature.of()`, `Signature.fromWire()` or the canvas functions. */
  protected constructor(wire: WireSignature, app: CanvasApp | null) {
    this.#wire = readSignature(wire, 'signature');
    this.#app = app;
  }

  /** The task name (`celery.chain`, `celery.group`, `celery.chord`, … for composites). */
  get task(): string {
    return this.#wire.task;
  }

  get args(): readonly unknown[] {
    return this.#wire.args;
  }

  get kwargs(): Readonly<Record<string, unknown>> {
    return this.#wire.kwargs;
  }

  /** Wire options, Celery's names (`task_id`, `queue`, `link`, …). */
  get options(): Readonly<Record<string, unknown>> {
    return this.#wire.options;
  }

  /** Whether the task ignores the result of the one before it (`.si()`). */
  get immutable(): I {
    return this.#wire.immutable as I;
  }

  /** `null` for a task; `chain`, `group`, `chord`, `chunks`, `xmap`, `xstarmap` for composites. */
  get subtaskType(): string | null {
    return this.#wire.subtask_type;
  }

  /** The app that sends it, or `null`. */
  get app(): CanvasApp | null {
    return this.#app;
  }

  /** The id it will run under, once frozen (or given as `taskId`). */
  get id(): string | undefined {
    const id = this.#wire.options.task_id;
    return typeof id === 'string' ? id : undefined;
  }

  /** Sets `applyAsync` options (and `immutable`) on this signature; returns it (Celery's `set`). */
  set(options: ApplyOptions & { immutable?: boolean }): this {
    const { immutable, ...rest } = options;
    this.#wire = { ...this.#wire, options: { ...this.#wire.options, ...wireOptionsOf(rest) } };
    if (immutable !== undefined) this.#wire = { ...this.#wire, immutable };
    return this;
  }

  /** Adds a callback applied with this one's result; returns the callback (Celery's `link`). */
  link<S extends SignatureLike>(callback: S): S {
    this.#append('link', callback);
    return callback;
  }

  /** Adds an errback applied with this one's id when it fails; returns the errback (Celery's `link_error`). */
  onError<S extends SignatureLike>(errback: S): S {
    this.#append('link_error', errback);
    return errback;
  }

  #append(key: 'link' | 'link_error', sig: SignatureLike): void {
    const current = this.#wire.options[key];
    const list = Array.isArray(current) ? [...(current as unknown[])] : current ? [current] : [];
    list.push(toWireSignature(sig));
    this.#wire = { ...this.#wire, options: { ...this.#wire.options, [key]: list } };
  }

  /**
   * Assigns the ids of every task it will send, without sending anything, and returns the handle of its result
   * (Celery's `freeze`); a later `applyAsync` sends exactly these ids.
   * @throws SignatureError `Q_ERR_SIGNATURE_UNBOUND` without an app.
   */
  freeze(taskId?: string): H {
    const app = this.#bound('freeze');
    const frozen = freezeCanvas(this.#wire, { oid: app.oid, ...(taskId ? { taskId } : {}) });
    this.#wire = frozen.sig;
    return app.resultFromTuple(frozen.result) as H;
  }

  /** The Celery dict (`{task, args, kwargs, options, subtask_type, immutable}`). */
  toWire(): WireSignature {
    return structuredClone(this.#wire);
  }

  toJSON(): WireSignature {
    return this.toWire();
  }

  toString(): string {
    return `${this.subtaskType ?? 'signature'}(${this.task})`;
  }

  /**
   * Runs it here, in this process, with partial `args`, `kwargs` and options (Celery's `apply`): every task of it runs
   * eagerly, in order, and the result is an `EagerResult` (a group's: an `EagerGroupResult`) whose state is known at
   * once. See `task.apply` and the eager mode guide.
   * @throws SignatureError `Q_ERR_SIGNATURE_UNBOUND` without an app (or one that cannot run tasks here); with
   *   `task.eagerPropagates`, the first task error.
   */
  async apply(args: readonly unknown[] = [], kwargs: Readonly<Record<string, unknown>> = {}, options: ApplyOptions = {}): Promise<H> {
    const app = this.#bound('apply');
    const eager = app.applyEager?.(this.#wire, { args, kwargs, options: wireOptionsOf(options) }, true);
    if (!eager) throw new SignatureError('Q_ERR_SIGNATURE_UNBOUND', `apply() on ${this.toString()}: its app cannot run tasks in this process`);
    return (await eager) as H;
  }

  /** Sends it with partial `args`, `kwargs` and options (the kinds' `applyAsync` and `delay`); runs it here with `task.alwaysEager`. */
  protected async send(args: readonly unknown[], kwargs: Readonly<Record<string, unknown>>, options: ApplyOptions): Promise<H> {
    const app = this.#bound('applyAsync');
    const input = { args, kwargs, options: wireOptionsOf(options) };
    const eager = app.applyEager?.(this.#wire, input);
    if (eager) return (await eager) as H;
    const tuple = await app.applySignature(this.#wire, input);
    return app.resultFromTuple(tuple) as H;
  }

  #bound(what: string): CanvasApp {
    if (this.#app) return this.#app;
    throw new SignatureError(
      'Q_ERR_SIGNATURE_UNBOUND',
      `${what}() on ${this.toString()}: the signature belongs to no app; build it with task.s(), app.signature() or Signature.fromWire(dict, app)`,
    );
  }
}

/**
 * One task's call with partial arguments and options (or, read from a dict, a canvas of any kind). Made by
 * `task.s()`, `task.si()`, `task.signature()`, `app.signature()`, {@link Signature.of} and
 * {@link Signature.fromWire}.
 */
export class Signature<P extends unknown[] = unknown[], R = unknown, I extends boolean = false, H = AsyncResult<R>> extends Canvas<P, R, I, H> {
  /**
   * A signature of the task `task` (a name: it need not be registered here). `init.app` sends it; without one it
   * can be serialized and linked, not applied.
   */
  static of<P extends unknown[] = unknown[], R = unknown, I extends boolean = false>(
    task: string,
    args: readonly unknown[] = [],
    kwargs: Readonly<Record<string, unknown>> = {},
    init: SignatureInit = {},
  ): Signature<P, R, I> {
    const wire: WireSignature = {
      task,
      args: [...args],
      kwargs: { ...kwargs },
      options: wireOptionsOf(init.options ?? {}),
      subtask_type: null,
      immutable: init.immutable ?? false,
    };
    return new Signature<P, R, I>(wire, init.app ?? null);
  }

  /**
   * A signature of any kind from a Celery dict (what Python's `sig` serializes to, or a message's `link`
   * holds), bound to `app` when given. The dict is checked; nothing in it is evaluated.
   * @throws SignatureError `Q_ERR_SIGNATURE_INVALID`
   */
  static fromWire(value: unknown, app: CanvasApp | null = null): Signature<unknown[], unknown, boolean, AsyncResult | GroupResult> {
    return new Signature<unknown[], unknown, boolean, AsyncResult | GroupResult>(readSignature(value, 'dict'), app);
  }

  /**
   * A copy with `args` appended to its own, `kwargs` merged over its own and `options` set (Celery's `clone`
   * and partials); an immutable signature keeps its arguments.
   */
  clone(args: readonly unknown[] = [], kwargs: Readonly<Record<string, unknown>> = {}, options: ApplyOptions = {}): Signature<P, R, I, H> {
    const wire = this.toWire();
    return new Signature<P, R, I, H>(
      {
        ...wire,
        args: wire.immutable ? wire.args : [...wire.args, ...args],
        kwargs: wire.immutable ? wire.kwargs : { ...wire.kwargs, ...kwargs },
        options: { ...wire.options, ...wireOptionsOf(options) },
      },
      this.app,
    );
  }

  /** Sends it with `args` in front of the remaining parameters (Celery's `delay`). */
  delay(...args: P): Promise<H> {
    return this.send(args, {}, {});
  }

  /**
   * Sends it (Celery's `apply_async`): `args` go in front of its own (not for an immutable signature), `kwargs`
   * over its own, `options` over its own.
   */
  applyAsync(args: Partial<P> | readonly unknown[] = [], kwargs: Readonly<Record<string, unknown>> = {}, options: ApplyOptions = {}): Promise<H> {
    return this.send(args, kwargs, options);
  }
}
