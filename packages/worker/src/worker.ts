/**
 * The worker (Celery's `WorkController`): a blueprint of bootsteps — connection, pool, timer, consumer,
 * plus plugin bootsteps — with a lifecycle, signal handling and stats.
 */
import { NotRegisteredError, QError, silentLogger } from '@q/core';
import type { App, Bootstep, EventSink, HookName, HookPayloads, Logger, ResultBackend, Transport } from '@q/core';
import type { Pool, PoolRegistration } from '@q/core/adapter';
import { Blueprint } from './blueprint/blueprint.js';
import { consoleLogger, flushLogger } from './console-logger.js';
import { connectionStep } from './blueprint/connection-step.js';
import { consumerStep } from './blueprint/consumer-step.js';
import { poolStep } from './blueprint/pool-step.js';
import { timerStep } from './blueprint/timer-step.js';
import { mingleStep } from './control/mingle-step.js';
import { pidboxStep } from './control/pidbox-step.js';
import type { WorkerHost, WorkerParts } from './blueprint/worker-host.js';
import { registeredPools } from './pools/create-pool.js';
import { installProcessGuard } from './guard/process-guard.js';
import type { WorkerCounters } from './worker-runtime.js';
import { resolveWorkerOptions } from './worker-options.js';
import { NodeState } from './state/node-state.js';
import type { LamportClock } from './state/lamport-clock.js';
import { revokeTasks } from './state/revoke-tasks.js';
import { stateDbStep } from './state/state-db-step.js';
import { sharedRevokesStep } from './state/shared-revokes-step.js';
import type { RevokeOptions, RevokeResult } from './state/revoke-tasks.js';
import type { ResolvedWorkerOptions, WorkerOptions } from './worker-options.js';
import { consumedQueueTopology, workerDirectTopology } from '@q/core/adapter';
import { addedQueueTopology } from './consumer/added-queue.js';
import type { AddConsumerOptions, ConsumedQueue } from './consumer/added-queue.js';
import { parseRateSetting } from './consumer/rate-limit-setting.js';
import { collectRequests, queryRequests } from './state/worker-requests.js';
import type { QueryTaskState, TaskRequestInfo, WorkerRequests } from './state/request-info.js';

/** Lifecycle states of a {@link Worker}. */
export type WorkerState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

/** What `worker.stats()` reports (for remote control `stats`/`active`/`reserved`). */
export interface WorkerStats {
  hostname: string;
  state: WorkerState;
  pool: { name: string; concurrency: number };
  /** Finished tasks, total and by name. */
  processed: number;
  processedByTask: Record<string, number>;
  /** Tasks running now. */
  active: number;
  /** Received tasks waiting for a pool slot. */
  reserved: number;
  /** Received tasks held until their ETA. */
  scheduled: number;
  /** Current prefetch per consumed queue. */
  prefetch: number;
  queues: readonly string[];
}

const BUILTIN_STEPS: readonly Bootstep<Worker>[] = [
  connectionStep,
  sharedRevokesStep,
  poolStep,
  timerStep,
  pidboxStep,
  mingleStep,
  consumerStep,
];

/** A worker consuming an app's queues. Create it with {@link createWorker}. */
export class Worker implements WorkerHost {
  readonly app: App;
  /** Node name (`celery@host`). */
  readonly hostname: string;
  /**
   * Where the worker logs, with the node name bound as `node` (not `hostname`: pino's own `hostname` field, the
   * machine's name, is already on every line). The `logger` option, else the app's logger, else — when neither
   * was given — {@link consoleLogger} at `info` on stderr, as a Celery worker logs by default.
   */
  readonly logger: Logger;
  /** Parts created by the bootsteps (for bootsteps and remote control; not for task code). */
  readonly parts: WorkerParts = {};
  readonly counters: WorkerCounters = { processed: new Map(), reserved: 0, scheduled: 0 };
  /** Revoked task ids, the logical clock, the jobs in the pool (Celery's `celery.worker.state`). */
  readonly nodeState = new NodeState();
  #state: WorkerState = 'idle';
  #cold = false;
  #blueprint: Blueprint<Worker> | null = null;
  #starting: Promise<void> | null = null;
  #stopping: Promise<void> | null = null;
  /** Removes this worker's part of the process guard (set while running). */
  #unguard: (() => void) | null = null;
  readonly #extraSteps: readonly Bootstep<Worker>[];
  readonly #given: WorkerOptions<Worker>;
  #options: ResolvedWorkerOptions;
  /** The plugin registration of the pool that {@link #options} was resolved with (none before plugins are set up). */
  #resolvedWith: PoolRegistration | undefined;

  constructor(app: App, options: WorkerOptions<Worker> = {}) {
    this.app = app;
    this.#given = { ...options };
    this.#options = this.#resolveOptions();
    this.hostname = this.#options.hostname;
    this.logger = defaultLogger(app, options.logger).child({ node: this.hostname });
    this.#extraSteps = options.bootsteps ?? [];
  }

  /**
   * Options after defaults. A pool registered by a plugin declares its default concurrency; that declaration
   * counts once the app has set its plugins up (`app.connect()`, the first thing `start()` does).
   *
   * @throws ConfigError `Q_ERR_CONFIG_INVALID` when a plugin pool's declared concurrency is not a positive integer.
   */
  get options(): ResolvedWorkerOptions {
    if (this.#pluginPool() !== this.#resolvedWith) this.#options = this.#resolveOptions();
    return this.#options;
  }

  /** What a plugin registered under the configured pool name (nothing for a pool instance). */
  #pluginPool(): PoolRegistration | undefined {
    const pool = this.#given.pool ?? this.app.conf.worker.pool;
    return typeof pool === 'string' ? this.app.plugins.pool(pool) : undefined;
  }

  #resolveOptions(): ResolvedWorkerOptions {
    this.#resolvedWith = this.#pluginPool();
    return resolveWorkerOptions(this.app.conf, this.#given, registeredPools(this.app.plugins));
  }

  get state(): WorkerState {
    return this.#state;
  }

  /** True once a cold shutdown began. */
  get shuttingDown(): boolean {
    return this.#cold;
  }

  get transport(): Transport {
    return this.#need(this.parts.transport, 'transport');
  }

  get backend(): ResultBackend | null {
    return this.parts.backend ?? null;
  }

  get pool(): Pool {
    return this.#need(this.parts.pool, 'pool');
  }

  /** The bootsteps in start order (known once `start()` has connected the app). */
  get bootsteps(): readonly string[] {
    return this.#blueprint?.steps.map((s) => s.name) ?? [];
  }

  #need<T>(value: T | undefined, what: string): T {
    if (value === undefined) throw new QError('Q_ERR_WORKER_STATE', `worker ${this.hostname} has no ${what} (state: ${this.#state})`);
    return value;
  }

  hasHook(name: HookName): boolean {
    return this.app.plugins.hasHook(name);
  }

  async hook<N extends HookName>(name: N, payload: HookPayloads[N]): Promise<void> {
    try {
      await this.app.plugins.runHook(name, payload);
    } catch (err) {
      this.logger.error({ err, hook: name }, `hook ${name} failed`);
    }
  }

  /**
   * Connect, start the bootsteps and consume. Resolves once consuming; logs `<hostname> ready.` and runs
   * the `workerReady` hook. A start that fails stops what was started, closes the app unless the worker
   * was created with `closeApp: false`, and rejects (with the connect error, or `Q_ERR_BOOTSTEP_FAILED`).
   *
   * @throws QError `Q_ERR_WORKER_STATE` when the worker is not idle (or stopped).
   */
  start(): Promise<void> {
    if (this.#state !== 'idle' && this.#state !== 'stopped') {
      return Promise.reject(new QError('Q_ERR_WORKER_STATE', `worker ${this.hostname} cannot start while ${this.#state}`));
    }
    this.#state = 'starting';
    this.#cold = false;
    this.#stopping = null;
    this.#blueprint = null;
    this.#starting = this.#start();
    return this.#starting;
  }

  async #start(): Promise<void> {
    try {
      // Plugins are set up when the app connects; their bootsteps and pool declarations are known only then
      // (a plugin pool's declared concurrency applies from here; a bad declaration fails the start).
      await this.app.connect();
      this.#options = this.#resolveOptions();
      if (this.#options.guardProcess) this.#unguard ??= installProcessGuard(this);
      const pluginSteps = this.app.plugins.bootsteps() as Bootstep<Worker>[];
      const stateDb = this.options.statedb === null ? [] : [stateDbStep];
      this.#blueprint = new Blueprint([...stateDb, ...BUILTIN_STEPS, ...pluginSteps, ...this.#extraSteps], { logger: this.logger });
      await this.#blueprint.start(this);
    } catch (err) {
      this.#dropGuard();
      await this.#closeApp();
      this.#state = 'stopped';
      throw err;
    }
    this.#state = 'running';
    const { poolName, concurrency, queues } = this.options;
    this.logger.info({ pool: poolName, concurrency, queues }, `${this.hostname} ready.`);
    await this.hook('workerReady', { hostname: this.hostname });
  }

  /**
   * Shut down. Warm (default): stop consuming, give back prefetched and ETA-held messages, let running
   * tasks finish (up to `shutdownTimeout`), close. Cold (`graceful: false`): abort running tasks and
   * requeue what is not acked. A cold stop during a warm one turns it cold.
   */
  stop(options: { graceful?: boolean } = {}): Promise<void> {
    const graceful = options.graceful ?? true;
    if (this.#stopping) {
      if (!graceful) void this.goCold();
      return this.#stopping;
    }
    if (this.#state === 'idle' || this.#state === 'stopped') return Promise.resolve();
    this.#stopping = this.#stop(graceful);
    return this.#stopping;
  }

  async #stop(graceful: boolean): Promise<void> {
    // A worker still connecting (retrying an unreachable broker) gives up at once when it owns the app.
    if (this.#state === 'starting' && this.#blueprint === null) await this.#closeApp();
    await this.#starting?.catch(() => undefined);
    if (this.#state !== 'running') return;
    this.#state = 'stopping';
    this.logger.info(`${this.hostname}: ${graceful ? 'warm' : 'cold'} shutdown`);
    if (!graceful) this.#cold = true;
    await this.hook('workerShutdown', { hostname: this.hostname, graceful });
    await this.#blueprint?.stop(this, { graceful });
    this.#dropGuard();
    this.#state = 'stopped';
    flushLogger(this.logger);
  }

  #dropGuard(): void {
    this.#unguard?.();
    this.#unguard = null;
  }

  /** Closes the app when the worker owns it (`closeApp`, default true); a failure is logged. */
  async #closeApp(): Promise<void> {
    if (!this.options.closeApp) return;
    await this.app.close().catch((err: unknown) => this.logger.warn({ err }, `${this.hostname}: closing the app failed`));
  }

  /** Warm pool stop: wait for running tasks, up to `shutdownTimeout`, then go cold. */
  async waitForPool(): Promise<void> {
    const pool = this.pool;
    const timeout = this.options.shutdownTimeout;
    const graceful = pool.stop({ graceful: true });
    if (timeout === null) return graceful;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeout * 1000);
    });
    const first = await Promise.race([graceful.then(() => 'done' as const), expired]);
    clearTimeout(timer);
    if (first === 'timeout') {
      this.logger.warn(`${this.hostname}: tasks still running after ${timeout}s; going cold`);
      await this.goCold();
    }
  }

  /** Abort running tasks; their unacked messages are requeued. */
  async goCold(): Promise<void> {
    this.#cold = true;
    await this.parts.pool?.stop({ graceful: false });
  }

  /**
   * Handle process signals as Celery does: SIGTERM and SIGINT → warm shutdown; a second SIGINT, or SIGQUIT
   * → cold shutdown. Returns a function that removes the handlers.
   */
  installSignalHandlers(): () => void {
    let interrupts = 0;
    const shutdown = (signal: string, graceful: boolean): void => {
      this.logger.info(`${signal} received: ${graceful ? 'warm' : 'cold'} shutdown`);
      this.stop({ graceful }).catch((err: unknown) => this.logger.error({ err }, 'shutdown failed'));
    };
    const onTerm = (): void => shutdown('SIGTERM', true);
    const onInt = (): void => {
      interrupts += 1;
      shutdown('SIGINT', interrupts === 1);
    };
    const onQuit = (): void => shutdown('SIGQUIT', false);
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
    process.on('SIGQUIT', onQuit);
    return () => {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      process.off('SIGQUIT', onQuit);
    };
  }

  /** Time limits set at run time, per task name (`[hard, soft]`; `undefined` keeps the task's own). */
  readonly #timeLimits = new Map<string, readonly [number | null | undefined, number | null | undefined]>();

  /**
   * Change the time limits of task `name` for the tasks this worker starts from now on (Celery's `time_limit` remote
   * control command); `null` removes a limit, an omitted one keeps the task's. The message's `timelimit` header still wins.
   */
  setTimeLimits(name: string, limits: { hard?: number | null; soft?: number | null }): void {
    this.#timeLimits.set(name, [limits.hard, limits.soft]);
  }

  /** The run-time limits of task `name` and the worker's defaults (read by each task run). */
  timeLimitsOf(name: string): { override: readonly [number | null | undefined, number | null | undefined] | undefined; defaults: readonly [number | null, number | null] } | undefined {
    const defaults = this.#options.timeLimits;
    // Nothing set (the usual case): the task's own limits, without building an object per task.
    if (this.#timeLimits.size === 0 && defaults[0] === null && defaults[1] === null) return undefined;
    return { override: this.#timeLimits.get(name), defaults };
  }

  /** Rate limits set at run time (tasks per second by task name, `null`: none), read by the consumer. */
  readonly #rateLimits = new Map<string, number | null>();

  /** Rate limits set with {@link setRateLimit}, tasks per second by task name (`null`: none). */
  get rateLimits(): ReadonlyMap<string, number | null> {
    return this.#rateLimits;
  }

  /** The rates given to {@link setRateLimit}, as given (what `registered` shows, as Celery's `task.rate_limit`). */
  readonly #ratesGiven = new Map<string, string | number | null>();

  /**
   * The rate limit of task `taskName` as written: the one set at run time ({@link setRateLimit}, `null` once
   * removed), else the task's own `rateLimit` (`undefined`: none). Remote control's `registered` shows it.
   */
  rateLimitOf(taskName: string): string | number | null | undefined {
    return this.#ratesGiven.has(taskName) ? this.#ratesGiven.get(taskName) : (this.app.tasks.get(taskName)?.options.rateLimit ?? undefined);
  }

  /**
   * Change the rate limit this worker applies to task `taskName` from now on (Celery's `rate_limit` remote control
   * command): a Celery rate string (`"10/m"`, `"5/s"`, `"100/h"`, `"3"` per second) or tasks per second; `null`, `0`
   * or `""` removes the limit (also the task's own). Tasks of that name waiting for the old limit follow the new one.
   * With `worker.disableRateLimits` the worker applies no rate limit at all, this one included.
   *
   * @throws ConfigError `Q_ERR_CONFIG_INVALID` for a malformed rate.
   * @throws NotRegisteredError `Q_ERR_TASK_NOT_REGISTERED` for a task the app does not know.
   * @example worker.setRateLimit('tasks.add', '10/m')
   */
  setRateLimit(taskName: string, rate: string | number | null): void {
    const parsed = parseRateSetting(rate);
    if (!this.app.tasks.has(taskName)) throw new NotRegisteredError('Q_ERR_TASK_NOT_REGISTERED', `task "${taskName}" is not registered`);
    this.#rateLimits.set(taskName, parsed);
    this.#ratesGiven.set(taskName, parsed === null ? null : rate);
    this.parts.consumer?.changeRate(taskName, parsed);
  }

  /**
   * The task requests this worker holds (Celery's `inspect active`, `reserved`, `scheduled`): `active` started in
   * the pool, `reserved` received and waiting (for a pool slot or their task's rate limit), `scheduled` held until
   * their ETA. Built when called; empty while the worker does not run.
   */
  requests(): WorkerRequests {
    const consumer = this.parts.consumer;
    return collectRequests({
      hostname: this.hostname,
      running: this.nodeState.running,
      rateLimited: consumer?.rateLimited ?? [],
      held: consumer?.held ?? [],
    });
  }

  /**
   * Celery's `query_task`: for each id of `ids` this worker runs (`active`) or holds for a pool slot (`reserved`), its
   * state and info. Ids it does not hold so — unknown, finished, or held for their ETA (as in Celery 5.2) — are left out.
   */
  queryTask(ids: string | readonly string[]): Record<string, [QueryTaskState, TaskRequestInfo]> {
    return queryRequests(this.requests(), ids);
  }

  /** The consumed queues by name, once known (`null`: `options.queues` as the app declares them). */
  #queues: Map<string, ConsumedQueue> | null = null;

  #consumed(): Map<string, ConsumedQueue> {
    if (this.#queues === null) {
      // a broadcast queue (`bc`) is consumed through a queue of this worker's own (`bcast.<uuid>`), kept by its alias
      this.#queues = new Map(this.options.queues.map((name) => [name, consumedQueueTopology(this.app.conf, name)]));
      if (this.options.workerDirect) {
        const direct = workerDirectTopology(this.hostname);
        this.#queues.set(direct.queue.name, direct);
      }
    }
    return this.#queues;
  }

  /**
   * The queues this worker consumes, with their exchange and binding (Celery's `active_queues`): `options.queues`,
   * plus those added and minus those cancelled at run time.
   */
  activeQueues(): ConsumedQueue[] {
    return [...this.#consumed().values()];
  }

  /**
   * Start consuming `queue` (Celery's `add_consumer`): the queue is declared — as the app declares it, else with an
   * exchange named `options.exchange ?? queue` of type `options.exchangeType ?? 'direct'` bound with
   * `options.routingKey ?? queue` — and consumed with the worker's prefetch. A queue consumed already: nothing
   * happens. While the worker does not run, the queue is consumed from the next start.
   *
   * @throws ConfigError `Q_ERR_CONFIG_INVALID` for an empty name or an unknown exchange type; the broker's error when
   * the declaration fails (the queue is then not consumed).
   */
  async addConsumer(queue: string, options: AddConsumerOptions = {}): Promise<void> {
    const queues = this.#consumed();
    if (queues.has(queue)) return;
    const topology = addedQueueTopology(this.app.conf, queue, options);
    queues.set(queue, topology);
    const consumer = this.parts.consumer;
    if (consumer === undefined) return;
    try {
      await consumer.addQueue(topology);
    } catch (err) {
      queues.delete(queue);
      throw err;
    }
    this.logger.info({ queue }, `Started consuming from ${queue}`);
  }

  /**
   * Stop consuming `queue` (Celery's `cancel_consumer`): no more of its messages are received; those received
   * already run as usual. A queue not consumed: nothing happens.
   */
  async cancelConsumer(queue: string): Promise<void> {
    const queues = this.#consumed();
    const topology = queues.get(queue);
    if (!topology || !queues.delete(queue)) return;
    await this.parts.consumer?.cancelQueue(topology.queue.name);
    this.logger.info({ queue }, `No longer consuming from ${queue}`);
  }

  /** Task events switched at run time (`null`: as `options.sendTaskEvents`). */
  #taskEvents: boolean | null = null;
  /** Where events go (`useEventSink`; the `@q/events` plugin's dispatcher), `null` when none is installed. */
  #eventSink: EventSink | null = null;

  /**
   * Install where this worker's events go (the `@q/events` plugin's bootstep does, with its dispatcher), or remove it
   * (`null`). Without one the worker sends no events.
   */
  useEventSink(sink: EventSink | null): void {
    this.#eventSink = sink;
  }

  /** Where this worker's events go (`null`: no event dispatcher installed). */
  get eventSink(): EventSink | null {
    return this.#eventSink;
  }

  /** Where task events go: the event sink while task events are on ({@link taskEvents}), else `null`. */
  get taskEventSink(): EventSink | null {
    return this.#eventSink !== null && this.taskEvents ? this.#eventSink : null;
  }

  /** Tasks running in the pool now (heartbeats' `active`). */
  get activeCount(): number {
    return this.requests().active.length;
  }

  /** Tasks finished since the worker started, every name together (heartbeats' `processed`). */
  get processedCount(): number {
    let total = 0;
    for (const n of this.counters.processed.values()) total += n;
    return total;
  }

  /**
   * Whether this worker sends task events (`task-received`, `task-started`, `task-succeeded`, …): `options.sendTaskEvents`
   * (`-E`), until {@link setTaskEvents} changes it. The event dispatcher reads it for each event.
   */
  get taskEvents(): boolean {
    return this.#taskEvents ?? this.options.sendTaskEvents;
  }

  /**
   * Turn task events on or off (Celery's `enable_events`/`disable_events` remote control commands). Worker events
   * (heartbeats, online/offline) are not affected.
   *
   * @returns whether it changed (false: they were on, or off, already).
   */
  setTaskEvents(on: boolean): boolean {
    if (this.taskEvents === on) return false;
    this.#taskEvents = on;
    this.logger.info(`${this.hostname}: task events ${on ? 'enabled' : 'disabled'}`);
    return true;
  }

  /**
   * Add `n` children to the pool (`pool_grow`); the prefetch follows (size × multiplier). A pool that cannot grow
   * throws `Q_ERR_CAPABILITY_UNSUPPORTED`.
   */
  growPool(n = 1): void {
    const pool = this.pool;
    if (pool.grow === undefined) throw new QError('Q_ERR_CAPABILITY_UNSUPPORTED', `pool ${pool.name} cannot grow`);
    pool.grow(n);
    this.#prefetchFollowsPool();
  }

  /** Remove `n` children from the pool (`pool_shrink`), idle ones first, busy ones after their task. */
  shrinkPool(n = 1): void {
    const pool = this.pool;
    if (pool.shrink === undefined) throw new QError('Q_ERR_CAPABILITY_UNSUPPORTED', `pool ${pool.name} cannot shrink`);
    pool.shrink(n);
    this.#prefetchFollowsPool();
  }

  /**
   * After the pool grew or shrank: the prefetch is its new size × the prefetch multiplier, as Celery's
   * `_update_prefetch_count` (no change with an unlimited prefetch, multiplier 0).
   */
  #prefetchFollowsPool(): void {
    if (this.options.prefetchMultiplier === 0) return;
    this.parts.consumer?.setBasePrefetch(Math.max(1, this.pool.concurrency) * this.options.prefetchMultiplier);
  }

  /**
   * New autoscale bounds (Celery's `autoscale` remote control command): the pool keeps between `min` and `max`
   * children (those beyond `max` retire, idle ones now, busy ones after their task) and the prefetch follows `max`.
   *
   * @returns the bounds applied, `[max, min]`.
   * @throws QError `Q_ERR_CAPABILITY_UNSUPPORTED` when the pool does not autoscale (no `autoscale` option);
   * ConfigError `Q_ERR_CONFIG_INVALID` unless `max ≥ min ≥ 1` are integers.
   */
  setAutoscale(max: number, min: number): readonly [number, number] {
    const pool = this.pool;
    if (pool.setAutoscale === undefined) throw new QError('Q_ERR_CAPABILITY_UNSUPPORTED', `pool ${pool.name} does not autoscale (start the worker with autoscale)`);
    const applied = pool.setAutoscale(max, min);
    this.#autoscale = applied;
    this.parts.consumer?.setBasePrefetch(applied[0] * this.options.prefetchMultiplier);
    return applied;
  }

  /** Bounds set by {@link setAutoscale} (`null`: the `autoscale` option's). */
  #autoscale: readonly [number, number] | null = null;

  /** The autoscale bounds now, `[max, min]` (`null`: the pool does not autoscale). */
  get autoscale(): readonly [number, number] | null {
    return this.#autoscale ?? this.options.poolOptions.autoscale ?? null;
  }

  /**
   * Replace every child of the pool so that new code loads (Celery's `pool_restart`): idle children now, busy ones
   * after their task; no task is lost (tasks queued in an old child run in a new one). Resolves once the new
   * children are ready.
   *
   * @throws QError `Q_ERR_CAPABILITY_UNSUPPORTED` for a pool whose tasks run in the worker's own process (`async`,
   * `solo`): nothing to restart there (restart the worker).
   */
  async restartPool(): Promise<void> {
    const pool = this.pool;
    if (pool.restart === undefined) {
      throw new QError('Q_ERR_CAPABILITY_UNSUPPORTED', `pool ${pool.name} cannot restart: its tasks run in the worker's own process (restart the worker instead)`);
    }
    this.logger.info(`${this.hostname}: restarting the pool`);
    await pool.restart();
  }

  /** The node's logical clock (Celery's `app.clock`), kept in the state db with the revoked ids. */
  get clock(): LamportClock {
    return this.nodeState.clock;
  }

  /**
   * Revoke tasks by id (Celery's remote-control `revoke`), in any state of the worker: their messages are skipped
   * when they arrive, when their ETA comes or when they get a pool slot (stored REVOKED `revoked`, acked, a chord
   * part or the rest of a chain handled as for an expired task). The ids stay in a set of at most 50,000, each
   * kept at least 3 h (Celery's limits), saved across restarts with `statedb`.
   *
   * With `terminate`, the tasks of `ids` running now are stopped: their job's signal aborts with a
   * `TaskRevokedError('terminated')` carrying `signal` (default `SIGTERM`; a pool that kills a child process
   * sends it), the pool reports them terminated and REVOKED `terminated` is stored. On the event loop (`async`,
   * `solo`) a task stops only if it heeds `ctx.signal`; its slot is free at once.
   *
   * @returns the ids revoked and those terminated (what the remote-control reply reports).
   * @throws ConfigError `Q_ERR_CONFIG_INVALID` for an unknown signal.
   * @example worker.revoke(['d9078da5-…'], { terminate: true, signal: 'SIGKILL' })
   */
  revoke(ids: string | readonly string[], options: RevokeOptions = {}): RevokeResult {
    return revokeTasks(this.nodeState, ids, options, this.logger);
  }

  /** Counters for monitoring and remote control. */
  stats(): WorkerStats {
    const processedByTask = Object.fromEntries(this.counters.processed);
    return {
      hostname: this.hostname,
      state: this.#state,
      pool: { name: this.options.poolName, concurrency: this.parts.pool?.concurrency ?? this.options.concurrency },
      processed: Object.values(processedByTask).reduce((a, b) => a + b, 0),
      processedByTask,
      active: this.parts.pool?.active ?? 0,
      reserved: this.counters.reserved,
      scheduled: this.counters.scheduled,
      prefetch: this.parts.consumer?.prefetch ?? this.options.prefetch,
      queues: this.#queues === null ? this.options.queues : [...this.#queues.keys()],
    };
  }
}

/** The `logger` option, else the app's logger, else (neither given: the app's is core's `silentLogger`) the console. */
function defaultLogger(app: App, given: Logger | undefined): Logger {
  if (given !== undefined) return given;
  return app.log === silentLogger ? consoleLogger() : app.log;
}

/**
 * Create a worker for `app`. Options default to `app.conf.worker`.
 *
 * @example
 * const worker = createWorker(app, { concurrency: 10 });
 * await worker.start();
 * const removeHandlers = worker.installSignalHandlers();
 */
export function createWorker(app: App, options: WorkerOptions<Worker> = {}): Worker {
  return new Worker(app, options);
}
