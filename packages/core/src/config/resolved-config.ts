/**
 * The resolved configuration ({@link ResolvedConfig}) and the plain option shapes it shares with `AppOptions`. Kept
 * apart from `options.ts` (which names adapter and plugin instances) so contracts can name the resolved
 * configuration without an import cycle.
 */
import type { Schedule, ScheduleJson } from '../contracts/schedule.js';

/** Publish retry policy (Celery `task_publish_retry_policy`). */
export interface RetryPolicy {
  /** Attempts after the first (default 3). */
  maxRetries?: number;
  /** First delay, seconds (default 0). */
  intervalStart?: number;
  /** Added per attempt, seconds (default 0.2). */
  intervalStep?: number;
  /** Cap, seconds (default 0.2). */
  intervalMax?: number;
}

/** A declared queue (Celery `task_queues`). */
export interface QueueOptions {
  name: string;
  /** Exchange name; defaults to `task.defaultExchange` (Celery's `Queues._add`). */
  exchange?: string;
  /** Defaults to `task.defaultExchangeType` on the default exchange, else `direct`. */
  exchangeType?: 'direct' | 'topic' | 'fanout';
  /** Binding key; defaults to `task.defaultRoutingKey` (Celery's `Queues._add`). */
  routingKey?: string;
  /** `x-max-priority`. */
  maxPriority?: number;
  durable?: boolean;
  autoDelete?: boolean;
  arguments?: Record<string, unknown>;
  /**
   * kombu's `Broadcast` (default false): `name` is the alias clients route to; the exchange (default `name`) is a
   * fanout, the binding key defaults to `task.defaultRoutingKey`, and each worker consuming it declares a queue of
   * its own, `bcast.<uuid4>` (auto-delete by default), so every worker gets a copy. See `broadcastQueue()`.
   */
  broadcast?: boolean;
}

/**
 * Where and how a task is sent (Celery `task_routes` values): routing and the publish options a route may set.
 * A call's `applyAsync` options win over the task's own options, which win over the route, which wins over the
 * `task.*` defaults.
 */
export interface RouteOptions {
  /** Destination queue (declared in `task.queues`, or created when `task.createMissingQueues`). */
  queue?: string;
  /** Exchange to publish to (default: the queue's, or the anonymous exchange for a direct queue). */
  exchange?: string;
  /** Routing key (default: the queue's binding key; the queue name for a direct queue). */
  routingKey?: string;
  priority?: number;
  /** Serializer name (`json`, `pickle`, …). */
  serializer?: string;
  /** Compression codec name (`gzip`, …). */
  compression?: string;
  /** Seconds after sending when the task expires. */
  expires?: number;
  /** Hard time limit, seconds. */
  timeLimit?: number;
  /** Soft time limit, seconds. */
  softTimeLimit?: number;
  /** Extra message headers (the call's own win key by key). */
  headers?: Record<string, unknown>;
  /** Retry publishing on connection errors. */
  retry?: boolean;
  retryPolicy?: RetryPolicy;
}

/** A route: where and how a task is sent, or just a queue name. */
export type Route = RouteOptions | string;

/** What a router function sees of a registered task's options (with the `task.*` defaults applied). */
export interface RoutedTaskOptions {
  /** The task's own queue, or `null`. */
  readonly queue: string | null;
  /** The task's own priority, or `null`. */
  readonly priority: number | null;
  /** Its serializer (its own, else `task.serializer`). */
  readonly serializer: string;
  /** Its default expiry in seconds, or `null`. */
  readonly expires: number | null;
  /** Hard time limit in seconds, or `null`. */
  readonly timeLimit: number | null;
  /** Soft time limit in seconds, or `null`. */
  readonly softTimeLimit: number | null;
  /** Whether it stores no result. */
  readonly ignoreResult: boolean;
}

/** The registered task a router function is asked about (a `Task`: its `name` and resolved `options`). */
export interface RoutedTask {
  /** The registered name. */
  readonly name: string;
  /** Its options, with the `task.*` defaults applied. */
  readonly options: RoutedTaskOptions;
}

/** What a call asked for, as a router function sees it (the `applyAsync` options). */
export type RouterCallOptions = Readonly<Record<string, unknown>>;

/**
 * A router function (Celery's `router(name, args, kwargs, options, task=None)`): returns a route, or `null` /
 * `undefined` to let the next router decide. Synchronous. `task` is the registered task, `undefined` for a
 * `sendTask` of a task this app does not know.
 * @example
 * const byTenant: Router = (name, args, kwargs) => (kwargs['tenant'] === 'big' ? { queue: 'big', priority: 5 } : null);
 */
export type Router = (
  name: string,
  args: readonly unknown[],
  kwargs: Readonly<Record<string, unknown>>,
  options: RouterCallOptions,
  task: RoutedTask | undefined,
) => Route | null | undefined;

/** A validated router. */
export type PreparedRouter =
  | {
      readonly kind: 'map';
      /** Exact task names. */
      readonly exact: ReadonlyMap<string, Readonly<RouteOptions>>;
      /** Globs and regular expressions, anchored at the start, in declaration order. */
      readonly patterns: readonly (readonly [RegExp, Readonly<RouteOptions>])[];
      /** The map as written, for display (`RegExp` keys as `/source/flags`). */
      readonly source: Readonly<Record<string, Readonly<RouteOptions>>>;
    }
  | {
      readonly kind: 'function';
      readonly router: Router;
      /** Its option path, for errors about what it returns. */
      readonly path: string;
    };

/** The validated, frozen configuration. Every field is present. */
export interface ResolvedConfig {
  readonly name: string;
  readonly embeddedDir: string;
  readonly resolveFrom: string;
  readonly accept: readonly string[];
  readonly timezone: string;
  readonly include: readonly string[];
  readonly broker: {
    readonly transportOptions: Readonly<Record<string, unknown>>;
    readonly connectionRetry: boolean;
    readonly connectionMaxRetries: number | null;
    readonly connectionTimeout: number;
    /** `null`: the transport's own default. */
    readonly visibilityTimeout: number | null;
    readonly pollInterval: number | null;
  };
  readonly task: {
    readonly defaultQueue: string;
    readonly defaultExchange: string;
    readonly defaultRoutingKey: string;
    readonly defaultExchangeType: 'direct' | 'topic' | 'fanout';
    readonly queues: readonly Readonly<Required<Omit<QueueOptions, 'maxPriority'>> & { maxPriority: number | null }>[];
    /** `task.routes` validated into routers tried in order. */
    readonly routes: readonly PreparedRouter[];
    readonly createMissingQueues: boolean;
    readonly serializer: string;
    readonly compression: string | null;
    readonly defaultPriority: number | null;
    readonly inheritParentPriority: boolean;
    readonly queueMaxPriority: number | null;
    readonly deliveryMode: 'persistent' | 'transient';
    readonly publishRetry: boolean;
    readonly publishRetryPolicy: Readonly<Required<RetryPolicy>>;
    readonly acksLate: boolean;
    readonly rejectOnWorkerLost: boolean;
    readonly trackStarted: boolean;
    readonly ignoreResult: boolean;
    readonly storeErrorsEvenIfIgnored: boolean;
    readonly timeLimit: number | null;
    readonly softTimeLimit: number | null;
    readonly maxRetries: number | null;
    readonly defaultRetryDelay: number;
    readonly defaultRateLimit: string | null;
    readonly sendSentEvent: boolean;
    readonly alwaysEager: boolean;
    readonly eagerPropagates: boolean;
    readonly storeEagerResult: boolean;
  };
  readonly result: {
    readonly expires: number | null;
    readonly extended: boolean;
    readonly serializer: string;
    readonly persistent: boolean;
    readonly backendOptions: Readonly<Record<string, unknown>>;
    readonly pollInterval: number;
    readonly chordRetryInterval: number;
  };
  readonly worker: {
    readonly concurrency: number | null;
    readonly prefetchMultiplier: number;
    readonly pool: string;
    readonly hostname: string;
    readonly queues: readonly string[] | null;
    readonly shutdownTimeout: number | null;
    readonly sendTaskEvents: boolean;
    readonly disableRateLimits: boolean;
    readonly maxTasksPerChild: number | null;
    readonly maxMemoryPerChild: number | null;
    readonly stateDb: string | null;
    readonly enableRemoteControl: boolean;
    readonly shareRevokes: boolean;
    readonly direct: boolean;
  };
  readonly control: {
    readonly exchange: string;
    readonly queueExpires: number;
    readonly queueTtl: number;
  };
  readonly events: {
    readonly exchange: string;
    readonly queuePrefix: string;
    readonly queueExpires: number;
    readonly queueTtl: number;
    readonly serializer: string;
  };
  /** Message signing settings (see `app.setupSecurity()`); `key` is a secret. */
  readonly security: {
    readonly key: string | null;
    readonly certificate: string | null;
    readonly certStore: readonly string[];
    readonly digest: string;
    readonly serializer: string;
  };
  readonly beat: {
    readonly schedule: Readonly<Record<string, Readonly<BeatEntrySetting>>>;
    readonly maxLoopInterval: number;
    readonly syncEvery: number;
    readonly scheduleFilename: string;
    readonly store: string | null;
    readonly lock: string | null;
  };
}

/** One periodic task of `beat.schedule` (an entry of Celery's `beat_schedule`). */
export interface BeatEntrySetting {
  /** The task's name. */
  task: string;
  /** Seconds between runs, a `Schedule` (`crontab(…)`), or a schedule's stored form (`{ kind: 'crontab', … }`). */
  schedule: number | Schedule | ScheduleJson;
  args?: readonly unknown[];
  kwargs?: Readonly<Record<string, unknown>>;
  /** Options of the sent message (`queue`, `expires`, `priority`, … as in `sendTask`). */
  options?: Readonly<Record<string, unknown>>;
  /** Interval schedules only: run on the interval's boundaries (Celery's `relative`). */
  relative?: boolean;
}
