/**
 * What a user passes to `createApp` ({@link AppOptions}) and what it resolves to ({@link ResolvedConfig}).
 * Durations are in **seconds**, as in Celery. Resolution validates every option once and freezes the result;
 * errors name the option path (`task.maxRetries: expected a non-negative integer`).
 */
import type { Logger } from '../contracts/logger.js';
import type { Plugin } from '../contracts/plugin.js';
import type { QueueDriver } from '../contracts/queue-driver.js';
import type { KeyValueDriver, ResultBackend } from '../contracts/result-backend.js';
import type { Transport } from '../contracts/transport.js';
import type { BeatEntrySetting, QueueOptions, RetryPolicy } from './resolved-config.js';
import type { Routes } from './prepare-routes.js';

export type { BeatEntrySetting, QueueOptions, ResolvedConfig, RetryPolicy, RouteOptions } from './resolved-config.js';

/** A broker: a URL (resolved through plugins by scheme) or an adapter instance. */
export type BrokerSetting = string | Transport | QueueDriver;
/** A result backend: a URL, an adapter instance, or `null` to store no results. */
export type BackendSetting = string | ResultBackend | KeyValueDriver | null;

/** Options of `createApp`. */
export interface AppOptions {
  /** App name (the `main` module name in Celery). Used in logs and the default node name. */
  name?: string;
  /** Broker; default: the embedded filesystem broker under `embeddedDir`. */
  broker?: BrokerSetting;
  /** Result backend; default: the embedded filesystem backend. `null` disables results. */
  backend?: BackendSetting;
  /** Plugins, set up in order when the app connects. */
  plugins?: readonly Plugin[];
  /** Logger (pino-shaped). Default: silent. */
  logger?: Logger;
  /** Directory of the embedded filesystem broker and backend (default `.q` under the working directory). */
  embeddedDir?: string;
  /** Where URL schemes are resolved to installed adapter packages from (default: the working directory). */
  resolveFrom?: string;
  /** Accepted content types or serializer names (Celery `accept_content`, default `['json']`). */
  accept?: readonly string[];
  /** IANA time zone for naive ETAs (Celery `timezone`, default `UTC`). */
  timezone?: string;
  /**
   * Task modules the `q` commands import right after the app module (Celery's `include`, default none), so the
   * app module need not import them and they can import `app` from it. Each is resolved as an `import` written in
   * the `-A` module would be: `./tasks/math.ts` relative to that file, or a package name.
   */
  include?: readonly string[];
  brokerOptions?: {
    /** Adapter options (Celery `broker_transport_options`). */
    transportOptions?: Record<string, unknown>;
    /** Retry connecting at start-up (default true). */
    connectionRetry?: boolean;
    /** Attempts, `null` = forever (default 100). */
    connectionMaxRetries?: number | null;
    /** Seconds before giving up one attempt (default 4). */
    connectionTimeout?: number;
    /**
     * Seconds a reserved, unacknowledged message stays invisible (Celery's `broker_transport_options` key
     * `visibility_timeout`). Default: the transport's own (embedded broker 3600, Redis 3600, `filesystem://` 1800).
     * Reaches the embedded broker and URL brokers that have a visibility timeout (Redis, `filesystem://`) as the
     * default of their own option, which wins when set (`transportOptions.visibility_timeout` or the URL query for
     * Redis, `transportOptions.visibilityTimeout` for the filesystem broker). A broker instance keeps what it was
     * built with.
     */
    visibilityTimeout?: number;
    /** Poll interval, seconds, for drivers that cannot block (default 1; filesystem 0.05). */
    pollInterval?: number;
  };
  task?: {
    /** Default queue (default `celery`). */
    defaultQueue?: string;
    /** Default exchange (default: the default queue's name). */
    defaultExchange?: string;
    /** Default routing key (default: the default queue's name). */
    defaultRoutingKey?: string;
    /**
     * Type of the default exchange (Celery `task_default_exchange_type`, default `direct`): the exchange of the
     * default queue and of every `task.queues` entry that names no exchange.
     */
    defaultExchangeType?: 'direct' | 'topic' | 'fanout';
    /** Declared queues (Celery `task_queues`). */
    queues?: readonly QueueOptions[];
    /**
     * Routers (Celery `task_routes`): a map of task name or glob → route, `[pattern, route]` pairs (glob or
     * `RegExp` patterns), a router function, or a list of these tried in order. A route is {@link RouteOptions}
     * or a queue name. See docs/guide/routing.md.
     */
    routes?: Routes;
    /** Create queues that are not declared (default true). */
    createMissingQueues?: boolean;
    /** Default serializer name (default `json`). */
    serializer?: string;
    /** Default compression codec name (default none). */
    compression?: string | null;
    /** Default priority (default none). */
    defaultPriority?: number | null;
    /**
     * A task sent from inside a running task with no priority of its own (call, task options, route) gets the
     * running task's delivery priority (Celery `task_inherit_parent_priority`, default false).
     */
    inheritParentPriority?: boolean;
    /** `x-max-priority` for auto-created queues (default none). */
    queueMaxPriority?: number | null;
    /** Delivery mode (default persistent). */
    deliveryMode?: 'persistent' | 'transient';
    /** Retry publishing on connection errors (default true). */
    publishRetry?: boolean;
    publishRetryPolicy?: RetryPolicy;
    /** Acknowledge after the task ran (default false). */
    acksLate?: boolean;
    /** With acksLate: requeue when the worker dies mid-task (default false). */
    rejectOnWorkerLost?: boolean;
    /** Store a STARTED state (default false). */
    trackStarted?: boolean;
    /** Store no results (default false). */
    ignoreResult?: boolean;
    /** Store results of failed tasks even when ignoreResult (default false). */
    storeErrorsEvenIfIgnored?: boolean;
    /** Hard time limit, seconds (default none). */
    timeLimit?: number | null;
    /** Soft time limit, seconds (default none). */
    softTimeLimit?: number | null;
    /** Default `maxRetries` (default 3). */
    maxRetries?: number | null;
    /** Default retry countdown, seconds (default 180). */
    defaultRetryDelay?: number;
    /** Default rate limit (`10/s`, default none). */
    defaultRateLimit?: string | null;
    /** Send `task-sent` events (default false). */
    sendSentEvent?: boolean;
    /**
     * Run tasks in the calling process when called (Celery `task_always_eager`, default false): `delay`,
     * `applyAsync` and canvas `applyAsync` return an `EagerResult` (see `task.apply`); `app.sendTask` still sends.
     */
    alwaysEager?: boolean;
    /** Throw an eager task's error from `apply`/`applyAsync` instead of keeping it in the result (Celery `task_eager_propagates`, default false). */
    eagerPropagates?: boolean;
    /** Store the states of eager runs in the result backend (Celery `task_store_eager_result`, default false). */
    storeEagerResult?: boolean;
  };
  result?: {
    /** Seconds results live (default 86400; `null` = forever). */
    expires?: number | null;
    /** Store name, args, kwargs, worker, retries, queue (default false). */
    extended?: boolean;
    /** Serializer of result documents: `json`, the only one so far (another name is a `ConfigError`). */
    serializer?: string;
    /** Send results as persistent messages (delivery mode 2) on brokers that carry them (`rpc://`, default false). */
    persistent?: boolean;
    /** Adapter options (Celery `result_backend_transport_options`). */
    backendOptions?: Record<string, unknown>;
    /** Poll interval, seconds, for backends without push (default 0.1). */
    pollInterval?: number;
    /** Retry interval of `celery.chord_unlock`, seconds (default 1). */
    chordRetryInterval?: number;
  };
  worker?: {
    /** Tasks run at once (default: number of CPUs for `solo`=1, `async`=100). */
    concurrency?: number;
    /** Messages reserved per slot (default 4). */
    prefetchMultiplier?: number;
    /** Pool name (default `async`). */
    pool?: string;
    /** Node name, with `%h` (host), `%n` (host name part), `%d` (domain) (default `celery@%h`). */
    hostname?: string;
    /** Queues to consume (default: every queue of `task.queues`, else the default queue, as Celery without `-Q`). */
    queues?: readonly string[];
    /** Seconds to wait for running tasks at warm shutdown before going cold (default none = wait). */
    shutdownTimeout?: number | null;
    /** Send task events (default false). */
    sendTaskEvents?: boolean;
    /** Ignore every task's `rateLimit` (Celery `worker_disable_rate_limits`, default false). */
    disableRateLimits?: boolean;
    /** Replace a `prefork`/`threads` child after this many tasks (Celery `worker_max_tasks_per_child`, default none). */
    maxTasksPerChild?: number | null;
    /**
     * Replace a `prefork`/`threads` child after its current task when it uses more than this many KiB (Celery
     * `worker_max_memory_per_child`, default none).
     */
    maxMemoryPerChild?: number | null;
    /**
     * State db file keeping revoked ids and the logical clock across restarts (Celery `worker_state_db`, `--statedb`);
     * `%n`, `%h`, `%d`, `%p`, `%i`, `%I` are expanded. Default none.
     */
    stateDb?: string | null;
    /** Consume the pidbox and answer remote control (Celery `worker_enable_remote_control`, default true). */
    enableRemoteControl?: boolean;
    /**
     * Keep revoked task ids in the result backend too, shared by every worker, so revokes survive every worker
     * restarting at once (q's own; default true). Backends without a shared store (rpc) keep none.
     */
    shareRevokes?: boolean;
    /**
     * Also consume `<nodename>.dq2`, bound to the direct exchange `C.dq2` with the node name, so `workerDirect(node)`
     * reaches this worker alone (Celery `worker_direct`, default false).
     */
    direct?: boolean;
  };
  /** Remote control (pidbox): Celery's `control_*` settings. */
  control?: {
    /** Name of the control exchanges: `<it>.pidbox` and `reply.<it>.pidbox` (Celery `control_exchange`, default `celery`). */
    exchange?: string;
    /** Seconds an unused control or reply queue lives (`x-expires`; Celery `control_queue_expires`, default 10). */
    queueExpires?: number;
    /** Seconds a control message waits in a queue (`x-message-ttl`; Celery `control_queue_ttl`, default 300). */
    queueTtl?: number;
  };
  /** Events (`celeryev`): Celery's `event_*` settings. */
  events?: {
    /** Name of the event exchange (Celery `event_exchange`, default `celeryev`). */
    exchange?: string;
    /** Event receivers' queues are `<it>.<id>` (Celery `event_queue_prefix`, default `celeryev`). */
    queuePrefix?: string;
    /** Seconds an unused receiver queue lives (`x-expires`; Celery `event_queue_expires`, default 60). */
    queueExpires?: number;
    /** Seconds an event waits in a receiver's queue (`x-message-ttl`; Celery `event_queue_ttl`, default 5). */
    queueTtl?: number;
    /** Serializer of event messages (Celery `event_serializer`, default `json`). */
    serializer?: string;
  };
  /**
   * Message signing (Celery's `security_*` settings), what `app.setupSecurity()` uses. Values are PEM **text**, not
   * file names (q reads no files: `readFileSync(path, 'utf8')`); see docs/guide/security.md.
   */
  security?: {
    /** PEM private key (RSA, no passphrase) that signs sent messages (Celery `security_key`, a file name there). */
    key?: string | null;
    /** PEM certificate of `key`; its issuer and serial name the signer (Celery `security_certificate`). */
    certificate?: string | null;
    /**
     * PEM certificates whose signatures are trusted (Celery `security_cert_store`, a file glob there: read each
     * file it matches). A text may hold several certificates.
     */
    certStore?: readonly string[];
    /** Digest of the RSA-PSS signatures (Celery `security_digest`, default `sha256`). */
    digest?: string;
    /** Serializer of the body before it is signed (Celery `setup_security(serializer=)`, default `json`). */
    serializer?: string;
  };
  /** Periodic tasks (`@q/beat`; Celery's `beat_*` settings). See docs/guide/periodic-tasks.md. */
  beat?: {
    /** Entries by name (Celery `beat_schedule`). */
    schedule?: Readonly<Record<string, BeatEntrySetting>>;
    /** Longest sleep between two ticks, seconds (Celery `beat_max_loop_interval`, default 300). */
    maxLoopInterval?: number;
    /** Save the last-run times at most this often, seconds (Celery's 3-minute sync, default 180). */
    syncEvery?: number;
    /** File of the default file store (Celery `beat_schedule_filename`, default `celerybeat-schedule.json`). */
    scheduleFilename?: string;
    /** Where last-run times live: a file path or a URL a plugin registered (`redis://…`); default the file above. */
    store?: string | null;
    /** The lock that lets one of several beats send: a URL a plugin registered; default none (one beat). */
    lock?: string | null;
  };
}
