/** Task options after defaults from `conf.task` ({@link ResolvedTaskOptions}), and their validation. */
import type { ResolvedConfig, RouteOptions } from '../config/options.js';
import { checkKeys, isPlainObject } from '../config/config-schema.js';
import { ConfigError } from '../errors/q-error.js';
import { isRateLimit } from '../config/rate-limit.js';
import type { ErrorClass, TaskOptions } from './types.js';

/** A task's options with every default applied. */
export interface ResolvedTaskOptions {
  readonly name: string;
  readonly params: readonly string[] | null;
  readonly acceptsKwargs: boolean;
  readonly bind: boolean;
  readonly autoretryFor: readonly ErrorClass[];
  readonly retryBackoff: boolean | number;
  readonly retryBackoffMax: number;
  readonly retryJitter: boolean;
  readonly maxRetries: number | null;
  readonly defaultRetryDelay: number;
  readonly acksLate: boolean;
  readonly rejectOnWorkerLost: boolean;
  readonly ignoreResult: boolean;
  readonly trackStarted: boolean;
  readonly rateLimit: string | null;
  readonly timeLimit: number | null;
  readonly softTimeLimit: number | null;
  /** Default queue of the task, or `null` (routes/default queue decide). */
  readonly queue: string | null;
  readonly priority: number | null;
  readonly serializer: string;
  /** Default expiry in seconds, or `null`. */
  readonly expires: number | null;
  /**
   * What the task's own options set that a route could set too, as given (before `conf.task` defaults): these win
   * over `task.routes` (Celery's exec options). Absent on hand-made options: nothing then.
   */
  readonly execOptions?: Readonly<RouteOptions>;
}

const KNOWN: readonly (keyof TaskOptions)[] = [
  'name', 'params', 'acceptsKwargs', 'bind', 'autoretryFor', 'retryBackoff', 'retryBackoffMax', 'retryJitter',
  'maxRetries', 'defaultRetryDelay', 'acksLate', 'rejectOnWorkerLost', 'ignoreResult', 'trackStarted', 'rateLimit',
  'timeLimit', 'softTimeLimit', 'queue', 'priority', 'serializer', 'expires',
];

/** Merges task options over `conf.task`. @throws ConfigError naming the task and the option. */
export function resolveTaskOptions(input: TaskOptions | string, conf: ResolvedConfig): ResolvedTaskOptions {
  const o: TaskOptions = typeof input === 'string' ? { name: input } : input;
  if (!isPlainObject(o)) throw new ConfigError('Q_ERR_CONFIG_INVALID', 'task options: expected a name or an object');
  if (typeof o.name !== 'string' || o.name.length === 0) {
    throw new ConfigError('Q_ERR_CONFIG_INVALID', 'task options.name: expected a non-empty string (the registered task name)');
  }
  checkKeys(o as unknown as Record<string, unknown>, KNOWN, `task "${o.name}" options`);
  const bad = (key: string, expected: string): never => {
    throw new ConfigError('Q_ERR_CONFIG_INVALID', `task "${o.name}" options.${key}: expected ${expected}`);
  };
  const nonNeg = (key: keyof TaskOptions, v: unknown): void => {
    if (v !== undefined && v !== null && (typeof v !== 'number' || !(v >= 0))) bad(key, 'a non-negative number');
  };
  for (const key of ['maxRetries', 'defaultRetryDelay', 'timeLimit', 'softTimeLimit', 'priority', 'expires', 'retryBackoffMax'] as const) {
    nonNeg(key, o[key]);
  }
  if (o.rateLimit !== undefined && o.rateLimit !== null && (typeof o.rateLimit !== 'string' || !isRateLimit(o.rateLimit))) {
    bad('rateLimit', 'a rate limit like "10", "10/s", "5/m" or "100/h", or null');
  }
  if (o.params !== undefined && (!Array.isArray(o.params) || o.params.some((p) => typeof p !== 'string'))) bad('params', 'an array of names');
  const t = conf.task;
  return {
    name: o.name,
    params: o.params ? [...o.params] : null,
    acceptsKwargs: o.acceptsKwargs ?? false,
    bind: o.bind ?? false,
    autoretryFor: [...(o.autoretryFor ?? [])],
    retryBackoff: o.retryBackoff ?? false,
    retryBackoffMax: o.retryBackoffMax ?? 600,
    retryJitter: o.retryJitter ?? true,
    maxRetries: o.maxRetries === undefined ? t.maxRetries : o.maxRetries,
    defaultRetryDelay: o.defaultRetryDelay ?? t.defaultRetryDelay,
    acksLate: o.acksLate ?? t.acksLate,
    rejectOnWorkerLost: o.rejectOnWorkerLost ?? t.rejectOnWorkerLost,
    ignoreResult: o.ignoreResult ?? t.ignoreResult,
    trackStarted: o.trackStarted ?? t.trackStarted,
    rateLimit: o.rateLimit === undefined ? t.defaultRateLimit : o.rateLimit,
    timeLimit: o.timeLimit === undefined ? t.timeLimit : o.timeLimit,
    softTimeLimit: o.softTimeLimit === undefined ? t.softTimeLimit : o.softTimeLimit,
    queue: o.queue ?? null,
    priority: o.priority ?? null,
    serializer: o.serializer ?? t.serializer,
    expires: o.expires ?? null,
    execOptions: execOptionsOf(o),
  };
}

const EXEC_OPTIONS = ['queue', 'priority', 'serializer', 'expires', 'timeLimit', 'softTimeLimit'] as const;

function execOptionsOf(o: TaskOptions): RouteOptions {
  const out: Record<string, unknown> = {};
  for (const key of EXEC_OPTIONS) if (o[key] != null) out[key] = o[key];
  return out as RouteOptions;
}

/** Task-level defaults that shape a message (from a registered task, or `conf.task` for `sendTask`). */
export type MessageDefaults = Pick<ResolvedTaskOptions, 'ignoreResult' | 'serializer' | 'expires'>;
