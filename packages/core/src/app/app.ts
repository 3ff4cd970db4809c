/**
 * The application: configuration, task registry, plugins, and the connection to the broker and the result
 * backend. `createApp(options)` is the entry point; every option is validated once (`resolveConfig`).
 */
import type { Logger } from '../contracts/logger.js';
import { silentLogger } from '../contracts/logger.js';
import type { Plugin } from '../contracts/plugin.js';
import type { BackendHost, ResultBackend } from '../contracts/result-backend.js';
import type { Transport } from '../contracts/transport.js';
import { ConnectionError } from '../errors/q-error.js';
import { builtinPlugin } from '../plugins/builtin-plugin.js';
import { PluginHost } from '../plugins/plugin-host.js';
import { oid, originName } from '../protocol/ids.js';
import type { TaskMessage } from '../protocol/task-message.js';
import { AsyncResult } from '../result/async-result.js';
import { createDefaultRegistry, type SerializerRegistry } from '../serialization/registry.js';
import { publishCall, sendTaskMessage } from '../publish/send-task.js';
import { applyCanvas, type ApplyInput, type CanvasSender } from '../canvas/apply-canvas.js';
import type { CanvasApp } from '../canvas/canvas-app.js';
import type { ResultTuple } from '../canvas/freeze.js';
import { Signature } from '../canvas/signature.js';
import { registerBuiltinTasks, type BuiltinHost } from './builtin-tasks.js';
import { currentTask } from '../task/current-task.js';
import { GroupResult } from '../result/group-result.js';
import { restoreGroupResult, resultFromTuple } from '../result/async-result.js';
import type { WireSignature } from '../protocol/task-message.js';
import { TaskRegistry } from '../task/registry.js';
import { resolveTaskOptions, type MessageDefaults, type ResolvedTaskOptions } from '../task/task-options.js';
import { Task, type TaskHost } from '../task/task.js';
import { applySignatureEagerly, applyTaskEagerly, eagerHost } from '../eager/eager-app.js';
import type { EagerHost } from '../eager/eager-host.js';
import type { ApplyOptions, TaskContext, TaskKwargs, TaskOptions } from '../task/types.js';
import { withCliOverrides } from '../config/cli-overrides.js';
import { connectWithRetry } from './connect-retry.js';
import { embeddedNotice, resolveBackend, resolveTransport } from './adapters.js';
import type { AppOptions, BackendSetting, BrokerSetting, ResolvedConfig } from '../config/options.js';
import { Producer, type PublishOptions } from '../publish/producer.js';
import { resolveConfig } from '../config/resolve-config.js';
import { checkTransportSupport } from '../routing/check-transport-support.js';
import { Control } from '../control/control.js';
import { secureConfig, type SecurityOptions } from '../security/setup-security.js';
import { LamportClock } from '../control/lamport-clock.js';
import { resolveRoute, type ResolvedRoute, type RouteInput } from '../routing/routing.js';

/** The call parameters of a bound task function: its parameters after the {@link TaskContext}. */
export type BoundParameters<F> = F extends (ctx: TaskContext, ...args: infer A) => unknown ? A : never;

/** A q application (Celery's `Celery` object). */
export class App implements CanvasApp {
  #conf: ResolvedConfig;
  readonly name: string;
  readonly log: Logger;
  /** This client's reply-to oid (`reply_to` of every message it sends). */
  readonly oid: string;
  /** This client's node name (`origin` header). */
  readonly origin: string;
  readonly serializers: SerializerRegistry;
  readonly plugins: PluginHost;
  readonly tasks = new TaskRegistry();
  /** This client's logical clock (Celery's `app.clock`): stamps remote-control requests, moved past every reply's. */
  readonly clock = new LamportClock();
  /**
   * Remote control of the workers (Celery's `app.control`): `revoke`, `rateLimit`, `ping`, `broadcast`, … and
   * `inspect()`. Its reply queue is consumed from the first call that wants replies until `close()`.
   */
  readonly control: Control;
  readonly #broker: BrokerSetting | undefined;
  readonly #backend: BackendSetting | undefined;
  readonly #userPlugins: readonly Plugin[];
  readonly #producer: Producer;
  /** How this app's tasks send a call. */
  readonly #taskHost: TaskHost = {
    send: (name, args, kwargs, options, defaults) =>
      this.conf.task.alwaysEager
        ? applyTaskEagerly(this.#eagerHost, name, args, kwargs, options)
        : sendTaskMessage(this, name, args, kwargs, options, this.#withDefaultSerializer(defaults)),
    apply: (name, args, kwargs, options) => applyTaskEagerly(this.#eagerHost, name, args, kwargs, options),
    canvas: this,
  };
  /** How eager runs (`task.apply`, `task.alwaysEager`) see this app. */
  readonly #eagerHost: EagerHost = eagerHost(this);
  /** How a canvas sends each of its tasks from this app. */
  readonly #canvasSender: CanvasSender;
  #pluginsReady: Promise<void> | null = null;
  #transport: Promise<Transport> | null = null;
  /** The backend resolved and attached, not connected (what the send path checks for `onTaskCall`). */
  #backendResolved: Promise<ResultBackend | null> | null = null;
  #backendConn: Promise<ResultBackend | null> | null = null;
  /** Ends the retries of the connects under way; aborted by `close()` and by a failed `connect()`, then replaced. */
  #connecting = new AbortController();
  /** Aborted by `close()` (then replaced): ends the `get()`s that poll for their result. */
  #lifetime = new AbortController();
  readonly #backendHost: BackendHost;
  #noticeLogged = false;

  constructor(appOptions: AppOptions = {}) {
    const options = withCliOverrides(appOptions);
    this.#conf = resolveConfig(options);
    this.name = this.conf.name;
    this.log = options.logger ?? silentLogger;
    this.oid = oid();
    this.origin = originName();
    this.serializers = createDefaultRegistry();
    this.plugins = new PluginHost({ serializers: this.serializers, logger: this.log, app: this });
    this.#broker = options.broker;
    this.#backend = options.backend;
    this.#userPlugins = [...(options.plugins ?? [])];
    this.#producer = new Producer(this);
    this.control = new Control(this);
    const expires = this.conf.result.expires;
    this.#canvasSender = {
      oid: this.oid,
      send: async (call, links) => {
        const defaults = this.#defaultsOf(call.name);
        return (await publishCall(this, call, links, defaults, {})).id;
      },
      backend: () => this.getBackend(),
      queueOf: (name) => this.route(name).queue,
      resultExpiresMs: expires === null ? null : expires * 1000,
    };
    registerBuiltinTasks(this as unknown as BuiltinHost, this.#canvasSender);
    this.#backendHost = Object.freeze({
      oid: this.oid,
      transport: () => this.getTransport(),
      logger: this.log,
      resultExpiresMs: expires === null ? null : expires * 1000,
      resultPersistent: this.conf.result.persistent,
    });
  }

  /**
   * Registers a task. With `bind: true` the function receives a {@link TaskContext} first. Declaring `params`
   * (`params: ['x', 'y']`) also types the keyword arguments of `applyAsync` by name ({@link TaskKwargs}).
   * @throws QError `Q_ERR_TASK_DUPLICATE` when the name is taken; ConfigError for invalid options.
   */
  task<F extends (ctx: TaskContext, ...args: never[]) => unknown, const O extends TaskOptions & { bind: true } = TaskOptions & { bind: true }>(
    options: O,
    fn: F,
  ): Task<BoundParameters<F>, ReturnType<F>, TaskKwargs<BoundParameters<F>, O>>;
  task<F extends (...args: never[]) => unknown, const O extends string | (TaskOptions & { bind?: false }) = string>(
    options: O,
    fn: F,
  ): Task<Parameters<F>, ReturnType<F>, TaskKwargs<Parameters<F>, O>>;
  task(options: string | TaskOptions, fn: (...args: never[]) => unknown): Task {
    if (typeof fn !== 'function') throw new TypeError('app.task(options, fn): fn must be a function');
    const task = new Task(this.#taskHost, resolveTaskOptions(options, this.conf), fn as (...args: unknown[]) => unknown);
    this.tasks.register(task);
    return task;
  }

  /**
   * Sends a task by name (Celery `send_task`); the task need not be registered here. Always sent, also with
   * `task.alwaysEager` (as Celery's `send_task`, which warns): to run a registered task here, use its `apply`.
   */
  sendTask<T = unknown>(
    name: string,
    args: readonly unknown[] = [],
    kwargs: Record<string, unknown> = {},
    options: ApplyOptions = {},
  ): Promise<AsyncResult<T>> {
    if (this.conf.task.alwaysEager) this.log.warn({ taskName: name }, 'task.alwaysEager has no effect on sendTask: the task is sent');
    return sendTaskMessage<T>(this, name, args, kwargs, options, this.#defaultsOf(name));
  }

  /** The message defaults of task `name`: its own options when registered here, the app's `task.*` otherwise. */
  #defaultsOf(name: string): MessageDefaults {
    const options = this.tasks.get(name)?.options;
    return options ? this.#withDefaultSerializer(options) : { ignoreResult: this.conf.task.ignoreResult, serializer: this.conf.task.serializer, expires: null };
  }

  /**
   * A task's message defaults with `task.serializer` as it is now when the task names no serializer of its own: it
   * changes with {@link App.setupSecurity} after the task was defined (and after the built-in tasks were).
   */
  #withDefaultSerializer(defaults: MessageDefaults): MessageDefaults {
    const serializer = this.conf.task.serializer;
    if (defaults.serializer === serializer) return defaults;
    const own = (defaults as Partial<Pick<ResolvedTaskOptions, 'execOptions'>>).execOptions;
    if (own === undefined || own.serializer !== undefined) return defaults;
    return { ignoreResult: defaults.ignoreResult, serializer, expires: defaults.expires };
  }

  /** The validated, frozen configuration (replaced, not changed, by {@link App.setupSecurity}). */
  get conf(): ResolvedConfig {
    return this.#conf;
  }

  /**
   * Turns message signing on (Celery's `app.setup_security()`): registers the `auth` serializer made from the
   * `security.*` settings, each overridden by `options` (PEM text), and sets `task.serializer` to `auth` and
   * `accept` to `['auth']`: every task message this app sends is signed, and a worker of this app runs only
   * messages signed by a certificate of `security.certStore` that is valid now; the others are rejected with the
   * reason logged. Call it before the worker starts (tasks defined earlier that name no serializer of their own
   * are signed too). Results and events are not signed (`result.serializer` stays as set, as in Celery).
   * See docs/guide/security.md.
   * @throws ConfigError `Q_ERR_CONFIG_INVALID` when the key, the certificate or the store is missing or unreadable,
   *   or the key is not the certificate's.
   */
  setupSecurity(options: SecurityOptions = {}): void {
    const { conf, serializer } = secureConfig(this.#conf, options, this.serializers);
    this.serializers.register(serializer);
    this.#conf = conf;
  }

  /**
   * A signature of the task `name` (Celery's `app.signature`): for tasks known only by name (defined in another
   * service or language). Given a Celery signature dict instead, the signature it describes (any kind).
   */
  signature<R = unknown>(name: string, args?: readonly unknown[], kwargs?: Record<string, unknown>, options?: ApplyOptions): Signature<unknown[], R>;
  signature(dict: WireSignature): Signature<unknown[], unknown, boolean, AsyncResult | GroupResult>;
  signature(
    nameOrDict: string | WireSignature,
    args: readonly unknown[] = [],
    kwargs: Record<string, unknown> = {},
    options: ApplyOptions = {},
  ): Signature<unknown[], unknown, boolean, AsyncResult | GroupResult> {
    if (typeof nameOrDict !== 'string') return Signature.fromWire(nameOrDict, this);
    return Signature.of(nameOrDict, args, kwargs, { app: this, options }) as Signature<unknown[], unknown, boolean, AsyncResult | GroupResult>;
  }

  /**
   * Freezes and sends a signature dict (what a canvas's `applyAsync` calls): linked to the task running now, if
   * any (its `parent_id` and `root_id`, and recorded in its `children`, as Celery's `add_to_parent`).
   */
  async applySignature(sig: WireSignature, input: ApplyInput): Promise<ResultTuple> {
    const running = currentTask();
    const links = running ? { parentId: running.id, rootId: running.rootId } : {};
    const tuple = await applyCanvas(this.#canvasSender, sig, { ...input, links: { ...links, ...(input.links ?? {}) } });
    running?.children.push(tuple);
    return tuple;
  }

  /**
   * With `task.alwaysEager`, runs the canvas `sig` here (Celery's `apply`) and resolves to its eager result (an
   * `EagerResult`, or an `EagerGroupResult` for a group); `null` otherwise (it is sent: {@link App.applySignature}).
   * `always` runs it here whatever the setting (a signature's `apply()`).
   */
  applyEager(sig: WireSignature, input: ApplyInput, always = false): Promise<AsyncResult | GroupResult> | null {
    return always || this.conf.task.alwaysEager ? applySignatureEagerly(this.#eagerHost, sig, input) : null;
  }

  /** The handle of a result tuple (`[[id, parent], null]` or a group's `[[gid, parent], [members]]`). */
  resultFromTuple(tuple: ResultTuple): AsyncResult | GroupResult {
    const result = resultFromTuple(tuple, this);
    if (result === null) throw new TypeError(`not a result tuple: ${JSON.stringify(tuple)}`);
    return result;
  }

  /** A handle on a group's result from its id and its members' results (Celery's `app.GroupResult`). */
  groupResult<T extends unknown[] = unknown[]>(id: string, results: readonly (AsyncResult | GroupResult)[]): GroupResult<T> {
    return new GroupResult<T>(id, results as never, this);
  }

  /** A group result saved with `GroupResult.save()` (by q or Celery), or `null` when none is stored under `id`. */
  restoreGroupResult<T extends unknown[] = unknown[]>(id: string): Promise<GroupResult<T> | null> {
    return restoreGroupResult<T>(this, id);
  }

  /** Sets up the builtin plugin and the configured ones (once). Called by `connect`. */
  loadPlugins(): Promise<void> {
    this.#pluginsReady ??= (async () => {
      await this.plugins.use(builtinPlugin);
      for (const plugin of this.#userPlugins) await this.plugins.use(plugin);
    })();
    return this.#pluginsReady;
  }

  /** Adds a plugin (after the configured ones). */
  async use(plugin: Plugin): Promise<void> {
    await this.loadPlugins();
    await this.plugins.use(plugin);
  }

  /**
   * Connects the broker and the result backend (idempotent). When one of them fails, the other stops retrying
   * (and is closed if it connected meanwhile) before this rejects with the first failure.
   */
  async connect(): Promise<void> {
    const generation = this.#connecting;
    const opening = [this.getTransport(), this.getBackend()];
    try {
      await Promise.all(opening);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      this.#abandon(generation, `gave up connecting: the app's connect() failed (${why})`, err);
      await Promise.allSettled(opening);
      throw err;
    }
  }

  /** The connected transport (connects on first use). */
  getTransport(): Promise<Transport> {
    this.#transport ??= this.#open(async (signal) => {
      const transport = await resolveTransport(this.#broker, this);
      checkTransportSupport(transport, this.conf);
      await connectWithRetry(transport, this.conf, this.log, signal);
      this.log.debug({ broker: transport.describe() }, 'broker connected');
      return transport;
    }, (failed) => {
      if (this.#transport === failed) this.#transport = null;
    });
    return this.#transport;
  }

  /** The connected result backend, or `null` when results are disabled (`backend: null`). */
  getBackend(): Promise<ResultBackend | null> {
    this.#backendConn ??= this.#open(async (signal) => {
      const backend = await this.#resolveBackend();
      if (backend) await connectWithRetry(backend, this.conf, this.log, signal);
      return backend;
    }, (failed) => {
      if (this.#backendConn === failed) this.#backendConn = null;
    });
    return this.#backendConn;
  }

  /** The result backend resolved and attached to this app (`attach`), not connected; cached until `close`. */
  #resolveBackend(): Promise<ResultBackend | null> {
    this.#backendResolved ??= this.#open(async () => {
      const backend = await resolveBackend(this.#backend, this);
      backend?.attach?.(this.#backendHost);
      return backend;
    }, (failed) => {
      if (this.#backendResolved === failed) this.#backendResolved = null;
    });
    return this.#backendResolved;
  }

  /**
   * Celery's `backend.on_task_call`: run before a task that expects a result is published. Connects the backend
   * and awaits its `onTaskCall` only when it has one (rpc declares its reply queue); for other backends it
   * costs one cached promise and no I/O.
   */
  async onTaskCall(taskId: string): Promise<void> {
    const backend = await this.#resolveBackend();
    if (!backend?.onTaskCall) return;
    await this.getBackend();
    await backend.onTaskCall(taskId);
  }

  /** Runs `make` after the plugins are set up; a failure is dropped from its cache (`drop`) so a later call retries. */
  #open<T>(make: (signal: AbortSignal) => Promise<T>, drop: (failed: Promise<T>) => void): Promise<T> {
    const signal = this.#connecting.signal;
    const opening = (async () => {
      await this.loadPlugins();
      this.#notice();
      return make(signal);
    })();
    opening.catch(() => drop(opening));
    return opening;
  }

  /** Ends the retries of the connects of `generation`, which reject with a `ConnectionError` saying `why`. */
  #abandon(generation: AbortController, why: string, cause?: unknown): void {
    if (generation === this.#connecting) this.#connecting = new AbortController();
    generation.abort(new ConnectionError('Q_ERR_CONNECTION_FAILED', why, { cause, retryable: false }));
  }

  #notice(): void {
    if (this.#noticeLogged) return;
    this.#noticeLogged = true;
    const line = embeddedNotice(this.conf, this.#broker === undefined, this.#backend === undefined);
    if (line) this.log.info({ embeddedDir: this.conf.embeddedDir }, line);
  }

  /**
   * Where a task goes and the publish options its route sets: `options` are the call's; the registered task's own
   * options apply next, then `task.routes` (router functions see `args` and `kwargs`), then the defaults. Sent from
   * inside a running task, with `task.inheritParentPriority`, it takes that task's priority before the default.
   */
  route(taskName: string, options: RouteInput = {}, args: readonly unknown[] = [], kwargs: Readonly<Record<string, unknown>> = {}): ResolvedRoute {
    const task = this.tasks.get(taskName);
    const parentPriority = this.conf.task.inheritParentPriority ? (currentTask()?.priority ?? null) : null;
    return resolveRoute(this.conf, taskName, options, task?.options.execOptions ?? {}, { args, kwargs, task, parentPriority });
  }

  /** Publishes an already built task message (declaring its queue, running hooks, retrying per policy). */
  publish(message: TaskMessage, route: ResolvedRoute, options: PublishOptions = {}): Promise<void> {
    return this.#producer.publish(message, route, options);
  }

  /** A handle on the result of task `id`. */
  asyncResult<T = unknown>(id: string): AsyncResult<T> {
    return new AsyncResult<T>(id, this);
  }

  /** Aborts when the app is closed: waits tied to this app's connections (a `get()` that polls) end with it. */
  get closeSignal(): AbortSignal {
    return this.#lifetime.signal;
  }

  /**
   * Closes the broker and backend connections (and stops consuming remote-control replies: calls of `control`
   * still collecting resolve with the replies they have). A connect still retrying stops at once and rejects with a
   * `ConnectionError` (`Q_ERR_CONNECTION_FAILED`). The app can connect again afterwards.
   */
  async close(): Promise<void> {
    this.#abandon(this.#connecting, 'the app was closed while connecting');
    const lifetime = this.#lifetime;
    this.#lifetime = new AbortController();
    lifetime.abort(new ConnectionError('Q_ERR_CONNECTION_LOST', 'the app was closed while waiting for a result', { retryable: false }));
    // Taken at once, so that a call made while this close runs opens new connections instead of using these.
    const transport = this.#transport;
    const backend = this.#backendConn;
    this.#transport = null;
    this.#backendConn = null;
    this.#backendResolved = null;
    this.#producer.reset();
    // Before the transport closes: the reply consumer is cancelled on the connection it runs on.
    await this.control.close();
    const closing: Promise<void>[] = [];
    if (transport) closing.push(transport.then((t) => t.close(), () => undefined));
    if (backend) closing.push(backend.then((b) => b?.close(), () => undefined));
    const outcomes = await Promise.allSettled(closing);
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

/**
 * Creates an app. Broker, backend and embedded directory given on the `q` command line win over `options`.
 * @throws ConfigError naming the invalid option path.
 */
export function createApp(options: AppOptions = {}): App {
  return new App(options);
}
