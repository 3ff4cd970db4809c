/**
 * What `createWorker` takes ({@link WorkerOptions}) and what it resolves to, with defaults from
 * `app.conf.worker`.
 */
import { ConfigError } from '@q/core';
import type { Bootstep, Logger, ResolvedConfig } from '@q/core';
import type { ChildAppSource, Pool, PoolOptions } from '@q/core/adapter';
import { findPool } from './pools/create-pool.js';
import type { PluginPools } from './pools/create-pool.js';
import { poolConcurrency } from './pools/pool-definition.js';
import { expandHostname } from './hostname.js';
import { expandNodeFormat } from './node-format.js';
import { selectQueues } from './select-queues.js';

/** Options of `createWorker` (each defaults to the app's `worker.*` config). */
export interface WorkerOptions<W = unknown> {
  /**
   * Queues to consume (default `worker.queues`, else every queue declared in `task.queues`, else the default
   * queue: Celery's worker without `-Q`).
   */
  queues?: readonly string[];
  /** Queues not to consume, removed from `queues` or its default (Celery's `-X/--exclude-queues`). */
  excludeQueues?: readonly string[];
  /**
   * Tasks run at once. Default `worker.concurrency`, else what the pool declares: `async` 100 (tasks are
   * promises that mostly wait on I/O), a plugin pool its `defaultConcurrency` (the number of CPUs unless it
   * declares one). A pool declaring a `fixedConcurrency` (`solo`: 1) always runs with it.
   */
  concurrency?: number;
  /** Pool name (`async`, `solo`, or one a plugin registered) or a pool instance (default `worker.pool`). */
  pool?: string | Pool;
  /** Node name pattern with `%h`, `%n`, `%d`, `%%` (default `worker.hostname`, `celery@%h`). */
  hostname?: string;
  /** Messages reserved per slot (default `worker.prefetchMultiplier`, 4). 0 = unlimited. */
  prefetchMultiplier?: number;
  /**
   * Logger (default: the app's, when `createApp` was given one; otherwise `consoleLogger()` at `info`, writing
   * Celery's text lines to stderr). Pass core's `silentLogger` to log nothing.
   */
  logger?: Logger;
  /** Seconds a warm shutdown waits for running tasks before going cold; `null` waits forever. */
  shutdownTimeout?: number | null;
  /** Close the app (its broker and backend connections) when the worker stops (default true). */
  closeApp?: boolean;
  /**
   * State db file (`--statedb`, Celery's `worker_state_db`): revoked task ids and the logical clock are loaded from
   * it at start and saved to it while running and at stop. `%n`, `%h`, `%d`, `%p`, `%i`, `%I` are expanded from the
   * node name (`expandNodeFormat`). Default: the app's `worker.stateDb` (none: revokes last as long as the process).
   */
  statedb?: string | null;
  /** More bootsteps, besides the built-in ones and those plugins registered. */
  bootsteps?: readonly Bootstep<W>[];
  /**
   * While running, catch stray errors (an uncaught exception or unhandled rejection from a timer or promise a task
   * left behind): log them, fail the task they came from when it still runs, never end the process (default true).
   */
  guardProcess?: boolean;
  /** Default hard time limit of every task, seconds (`--time-limit`); a task's option or the message's header wins. */
  timeLimit?: number | null;
  /** Default soft time limit of every task, seconds (`--soft-time-limit`). */
  softTimeLimit?: number | null;
  /** Replace a pool child after this many tasks (`prefork`, `threads`; default the app's `worker.maxTasksPerChild`). */
  maxTasksPerChild?: number;
  /** Replace a pool child after its current task past this many KiB (`prefork`, `threads`; default `worker.maxMemoryPerChild`). */
  maxMemoryPerChild?: number;
  /** `[max, min]` pool children: grow with queued work, shrink when idle (`--autoscale max,min`). */
  autoscale?: readonly [number, number];
  /** How each child or thread of `prefork`/`threads` loads the app (`q worker -A` sets it). */
  childApp?: ChildAppSource;
  /**
   * Celery's `-O`: `fair` (the default, as in Celery) gives a `prefork`/`threads` child one task at a time; `default`
   * lets a child hold a few, started one after the other (fewer round trips to the child: more short tasks per
   * second; a queued task is acked when it starts and moves to a child that goes idle, except from behind a long
   * synchronous task, which it waits for).
   */
  optimization?: 'default' | 'fair';
  /**
   * Answer remote control (`ping`, `revoke`, `inspect stats`, …) on the worker's pidbox queue (default
   * `worker.enableRemoteControl`, true; Celery's `worker_enable_remote_control`).
   */
  enableRemoteControl?: boolean;
  /**
   * Mingle at start: ask the other workers for their revoked task ids and logical clock before consuming (Celery's
   * mingle; `q worker --without-mingle` turns it off). Default true; it runs only on a transport that fans out.
   */
  mingle?: boolean;
  /**
   * Keep revoked task ids in the result backend too, shared by every worker (default `worker.shareRevokes`, true;
   * q's own): at start, before consuming, the worker merges the ids other workers saved there, and it saves the ids
   * each revoke adds. Revokes so survive every worker restarting at once, with no state db. It runs only with a
   * backend that keeps them (`saveRevoked`/`loadRevoked`: memory, embedded, Redis; not rpc).
   */
  shareRevokes?: boolean;
  /**
   * Also consume this node's own queue `<nodename>.dq2` (Celery's `worker_direct`; default `worker.direct`, false),
   * which `workerDirect(nodename)` from `@q/core` routes to.
   */
  workerDirect?: boolean;
  /**
   * Send task events (`task-received`, `task-started`, …) for monitors (default `worker.sendTaskEvents`; Celery's
   * `-E`/`worker_send_task_events`). Remote control `enable_events`/`disable_events` turn them on and off while the
   * worker runs (`worker.setTaskEvents`).
   */
  sendTaskEvents?: boolean;
  /**
   * Send `worker-online`, a `worker-heartbeat` every `heartbeatInterval` seconds and `worker-offline` (default true;
   * `q worker --without-heartbeat` turns it off, as Celery's). Events need an event dispatcher: the `@q/events`
   * plugin (the `q` command adds it).
   */
  heartbeat?: boolean;
  /** Seconds between `worker-heartbeat` events (default 2, Celery's `--heartbeat-interval`). */
  heartbeatInterval?: number;
  /**
   * Gossip: follow the other workers' `worker-*` events to know which are online, and warn about another worker with
   * this node name (default true; `--without-gossip`). Needs the `@q/events` plugin.
   */
  gossip?: boolean;
}

/** Options after defaults. */
export interface ResolvedWorkerOptions {
  readonly queues: readonly string[];
  readonly concurrency: number;
  readonly pool: string | Pool;
  readonly poolName: string;
  readonly hostname: string;
  readonly prefetchMultiplier: number;
  /** `concurrency × prefetchMultiplier` (0 = unlimited). */
  readonly prefetch: number;
  readonly shutdownTimeout: number | null;
  readonly closeApp: boolean;
  /** State db file, expanded (`null`: none). */
  readonly statedb: string | null;
  readonly guardProcess: boolean;
  /** Default `[hard, soft]` time limits, seconds. */
  readonly timeLimits: readonly [number | null, number | null];
  /** What a pool created by name gets besides its concurrency. */
  readonly poolOptions: Omit<PoolOptions, 'concurrency'>;
  /** Whether the worker answers remote control. */
  readonly enableRemoteControl: boolean;
  /** Whether the worker mingles at start. */
  readonly mingle: boolean;
  /** Whether the worker shares revoked ids through the result backend. */
  readonly shareRevokes: boolean;
  readonly workerDirect: boolean;
  /** Whether the worker sends task events when it starts. */
  readonly sendTaskEvents: boolean;
  /** Whether the worker sends worker events (online, heartbeats, offline). */
  readonly heartbeat: boolean;
  /** Seconds between heartbeats. */
  readonly heartbeatInterval: number;
  /** Whether the worker follows the other workers' events. */
  readonly gossip: boolean;
}

function check(ok: boolean, path: string, what: string): void {
  if (!ok) throw new ConfigError('Q_ERR_CONFIG_INVALID', `${path}: ${what}`);
}

/**
 * Apply defaults from `conf.worker`. The concurrency of a pool given by name comes from its declaration
 * (`pluginPools` first, then the built-in pools); a pool instance runs with its own.
 *
 * @throws ConfigError `Q_ERR_CONFIG_INVALID` naming the option.
 */
export function resolveWorkerOptions<W>(conf: ResolvedConfig, options: WorkerOptions<W> = {}, pluginPools: PluginPools = {}): ResolvedWorkerOptions {
  const pool = options.pool ?? conf.worker.pool;
  const poolName = typeof pool === 'string' ? pool : pool.name;
  const autoscale = options.autoscale;
  if (autoscale !== undefined) {
    check(Number.isInteger(autoscale[0]) && Number.isInteger(autoscale[1]) && autoscale[1] >= 1 && autoscale[0] >= autoscale[1], 'worker.autoscale', `expected [max, min] with max ≥ min ≥ 1, got [${autoscale.join(', ')}]`);
  }
  const concurrency =
    typeof pool === 'object'
      ? pool.concurrency
      : autoscale !== undefined
        ? autoscale[0]
        : poolConcurrency(findPool(poolName, pluginPools), options.concurrency ?? conf.worker.concurrency ?? undefined);
  check(Number.isInteger(concurrency) && concurrency >= 1, 'worker.concurrency', `expected a positive integer, got ${concurrency}`);
  const prefetchMultiplier = options.prefetchMultiplier ?? conf.worker.prefetchMultiplier;
  check(Number.isInteger(prefetchMultiplier) && prefetchMultiplier >= 0, 'worker.prefetchMultiplier', `expected a non-negative integer, got ${prefetchMultiplier}`);
  const queues = selectQueues(conf, options);
  check(queues.length > 0, 'worker.queues', options.excludeQueues?.length ? `no queue left to consume after excluding ${options.excludeQueues.join(', ')}` : 'expected at least one queue');
  const shutdownTimeout = options.shutdownTimeout !== undefined ? options.shutdownTimeout : conf.worker.shutdownTimeout;
  check(shutdownTimeout === null || shutdownTimeout >= 0, 'worker.shutdownTimeout', `expected seconds ≥ 0 or null, got ${shutdownTimeout}`);
  return Object.freeze({
    queues: [...queues],
    concurrency,
    pool,
    poolName,
    hostname: expandHostname(options.hostname ?? conf.worker.hostname),
    prefetchMultiplier,
    prefetch: concurrency * prefetchMultiplier,
    shutdownTimeout,
    closeApp: options.closeApp ?? true,
    statedb: statedbOf(options.statedb === undefined ? conf.worker.stateDb : options.statedb, expandHostname(options.hostname ?? conf.worker.hostname)),
    guardProcess: options.guardProcess ?? true,
    timeLimits: [options.timeLimit ?? null, options.softTimeLimit ?? null] as const,
    poolOptions: poolOptionsOf(conf, options),
    enableRemoteControl: options.enableRemoteControl ?? conf.worker.enableRemoteControl,
    mingle: options.mingle ?? true,
    shareRevokes: options.shareRevokes ?? conf.worker.shareRevokes,
    workerDirect: options.workerDirect ?? conf.worker.direct,
    sendTaskEvents: options.sendTaskEvents ?? conf.worker.sendTaskEvents,
    heartbeat: options.heartbeat ?? true,
    heartbeatInterval: heartbeatIntervalOf(options.heartbeatInterval),
    gossip: options.gossip ?? true,
  });
}

/** `heartbeatInterval` checked: seconds > 0 (default 2). */
function heartbeatIntervalOf(given: number | undefined): number {
  if (given === undefined) return 2;
  if (!Number.isFinite(given) || given <= 0) throw new ConfigError('Q_ERR_CONFIG_INVALID', `heartbeatInterval: expected seconds > 0, got ${String(given)}`);
  return given;
}

/** The state db file (`createWorker({ statedb })` over `worker.stateDb`), expanded; `null` for none. */
function statedbOf(file: string | null | undefined, hostname: string): string | null {
  return file == null ? null : expandNodeFormat(file, hostname);
}

function poolOptionsOf<W>(conf: ResolvedConfig, options: WorkerOptions<W>): Omit<PoolOptions, 'concurrency'> {
  const out: { -readonly [K in keyof Omit<PoolOptions, 'concurrency'>]: Omit<PoolOptions, 'concurrency'>[K] } = {};
  const maxTasks = options.maxTasksPerChild ?? conf.worker.maxTasksPerChild;
  if (maxTasks !== null) out.maxTasksPerChild = maxTasks;
  const maxMemory = options.maxMemoryPerChild ?? conf.worker.maxMemoryPerChild;
  if (maxMemory !== null) out.maxMemoryPerChild = maxMemory;
  if (options.autoscale !== undefined) out.autoscale = options.autoscale;
  if (options.childApp !== undefined) out.childApp = options.childApp;
  if (options.optimization !== undefined) out.optimization = options.optimization;
  return out;
}

