/**
 * Public task types: what `app.task()` takes and returns, the options of `applyAsync`, and the request
 * context a bound task receives. Durations are in seconds, as in Celery.
 */
import type { Logger } from '../contracts/logger.js';
import type { TaskState } from '../contracts/result-backend.js';
import type { RetryPolicy } from '../config/options.js';
import type { WireSignature } from '../protocol/task-message.js';

/** A constructor of errors, for `autoretryFor`. */
export type ErrorClass = abstract new (...args: never[]) => Error;

/** Options of a task (Celery's task attributes, camelCased). */
export interface TaskOptions {
  /** Registered name, e.g. `tasks.add`. Required: names are the contract with other languages. */
  name: string;
  /**
   * Parameter names, in order, so keyword arguments from a caller (`kwargs={'y': 5}` in Python) map to
   * positions. Default: read from the function's source text (not evaluated). Declare them when your code
   * is minified.
   */
  params?: readonly string[];
  /**
   * When true, keyword arguments that match no declared parameter are passed as one object after the
   * positional ones (Python's `**kwargs`). Default false: unknown keyword arguments fail the task.
   */
  acceptsKwargs?: boolean;
  /** Pass a {@link TaskContext} as the first argument (Celery `bind=True`). */
  bind?: boolean;
  /** Retry on these errors automatically (Celery `autoretry_for`). */
  autoretryFor?: readonly ErrorClass[];
  /** Exponential backoff for autoretry: `true` = 1 s base, or a base in seconds. */
  retryBackoff?: boolean | number;
  /** Cap of the backoff, seconds (default 600). */
  retryBackoffMax?: number;
  /** Randomise backoff delays (default true). */
  retryJitter?: boolean;
  /** `null` = retry forever. Default from config (3). */
  maxRetries?: number | null;
  /** Seconds before a retry (default 180). */
  defaultRetryDelay?: number;
  acksLate?: boolean;
  rejectOnWorkerLost?: boolean;
  ignoreResult?: boolean;
  trackStarted?: boolean;
  /** `N`, `N/s`, `N/m`, `N/h`. */
  rateLimit?: string | null;
  /** Hard time limit, seconds. */
  timeLimit?: number | null;
  /** Soft time limit, seconds. */
  softTimeLimit?: number | null;
  /** Default queue of this task. */
  queue?: string;
  /** Default priority. */
  priority?: number;
  /** Serializer name. */
  serializer?: string;
  /** Default expiry, seconds after sending. */
  expires?: number;
}

/**
 * The keyword arguments `applyAsync` (and `signature`) accept for a task whose positional parameters are `A`,
 * registered with the options `O`. TypeScript cannot see parameter names (a tuple's labels are not readable), so:
 * - with `params` declared as a list of names (`{ name: 'tasks.add', params: ['x', 'y'] }`, the same list the
 *   worker maps keywords with), each name is a key typed as its position, all optional (a prefix may come as
 *   `args`; a missing required one fails in the worker), and no other key is allowed;
 *   with `acceptsKwargs: true` the last name is the object of extra keywords, and any other key is allowed;
 * - without `params`, any key is allowed with a value of one of the parameter types
 *   (`(x: number, y: number)` rejects `{ y: 'str' }`, not `{ z: 3 }`); with `acceptsKwargs: true`, any value.
 * The worker checks names at run time either way (`Q_ERR_TASK_ARGUMENTS`, a `TypeError` for Python clients).
 */
export type TaskKwargs<A extends unknown[], O = unknown> = [ParamNames<O>] extends [never]
  ? O extends { readonly acceptsKwargs: true }
    ? Readonly<Record<string, unknown>>
    : Readonly<Record<string, A[number]>>
  : O extends { readonly acceptsKwargs: true }
    ? Named<Init<ParamNames<O>>, A> & Readonly<Record<string, unknown>>
    : Named<ParamNames<O>, A>;

/** The declared `params` of options `O` when they are literal names, else `never`. */
type ParamNames<O> = O extends { readonly params: infer P extends readonly string[] } ? (string extends P[number] ? never : P) : never;

/** All but the last name. */
type Init<P extends readonly string[]> = P extends readonly [...infer I extends string[], string] ? I : P;

/** Each name of `P` as an optional key typed as the parameter at its position in `A`. */
type Named<P extends readonly string[], A extends unknown[]> = {
  readonly [I in keyof P as I extends `${number}` ? P[I] & string : never]?: I extends keyof A ? A[I] : unknown;
};

/** Options of `applyAsync` / `sendTask` (Celery's `apply_async` keyword arguments). */
export interface ApplyOptions {
  /** Run after this many seconds. */
  countdown?: number;
  /** Run at (or after) this time. A string must be ISO-8601; naive strings are read in the app time zone. */
  eta?: Date | string;
  /** Seconds from now, or an absolute time; an expired task is REVOKED, not run. */
  expires?: number | Date | string;
  priority?: number;
  queue?: string;
  routingKey?: string;
  exchange?: string;
  /** Extra headers, merged at the top level of the message headers. */
  headers?: Record<string, unknown>;
  /** Use this id instead of a new UUID. */
  taskId?: string;
  /** Callback signature(s) applied with the result (Celery `link`). */
  link?: SignatureLike | readonly SignatureLike[];
  /** Errback signature(s) applied on failure (Celery `link_error`). */
  linkError?: SignatureLike | readonly SignatureLike[];
  ignoreResult?: boolean;
  /** Name shown in logs and events instead of the task name. */
  shadow?: string;
  serializer?: string;
  /** Codec name, e.g. `gzip`. */
  compression?: string;
  /** Retry publishing on connection errors. */
  retry?: boolean;
  retryPolicy?: RetryPolicy;
  timeLimit?: number;
  softTimeLimit?: number;
  /** Explicit parent/root (set by workers when a task sends another). */
  parentId?: string;
  rootId?: string;
  groupId?: string;
  groupIndex?: number;
  /** Reply queue (rpc backend); default the app's oid. */
  replyTo?: string;
  /**
   * The `argsrepr` header shown by monitors and logs instead of the arguments' repr (Celery's `argsrepr` option: hide
   * secrets, or show what a Python sender would, e.g. `[16, 16]` for a list).
   */
  argsrepr?: string;
  /** The `kwargsrepr` header instead of the keyword arguments' repr (Celery's `kwargsrepr` option). */
  kwargsrepr?: string;
  /**
   * Extra message properties, written verbatim on the wire (what kombu's `publish(**properties)` takes from Celery's
   * unknown `apply_async` keywords): e.g. `{ MessageGroupId: 'orders', MessageDeduplicationId: id }` for an SQS FIFO
   * queue.
   */
  properties?: Record<string, unknown>;
}

/** Options of `task.apply()` (Celery's `apply` keyword arguments): `applyAsync`'s, plus these. */
export interface EagerApplyOptions extends ApplyOptions {
  /** How many times the task ran before: its context's `retries` (default 0). */
  retries?: number;
  /** Throw the task's error from `apply()` instead of keeping it in the result (default `task.eagerPropagates`). */
  throw?: boolean;
}

/** Anything that serializes to a wire signature (`task.s(...)` results, or a plain wire object). */
export type SignatureLike = WireSignature | { toWire(): WireSignature };

/** Options of `ctx.retry()` (Celery `Task.retry`). */
export interface RetryOptions {
  /** Seconds before the retry (default: the task's `defaultRetryDelay`). */
  countdown?: number;
  eta?: Date | string;
  /** The reason, stored in the RETRY state and raised when retries are exhausted. */
  exc?: unknown;
  /** Override `maxRetries` for this call. */
  maxRetries?: number | null;
  /** Replace args/kwargs for the retry. */
  args?: readonly unknown[];
  kwargs?: Record<string, unknown>;
  /** Any `applyAsync` option for the re-published message. */
  options?: ApplyOptions;
}

/** What a bound task receives first: the request (Celery `self.request`) plus task helpers. */
export interface TaskContext {
  readonly id: string;
  readonly name: string;
  readonly args: readonly unknown[];
  readonly kwargs: Readonly<Record<string, unknown>>;
  readonly retries: number;
  readonly eta: string | null;
  readonly expires: string | null;
  readonly parentId: string | null;
  readonly rootId: string | null;
  readonly groupId: string | null;
  readonly groupIndex: number | null;
  readonly hostname: string;
  readonly origin: string;
  readonly replyTo: string;
  readonly correlationId: string;
  readonly deliveryInfo: { exchange: string; routingKey: string; priority: number; redelivered: boolean };
  readonly timeLimit: [number | null, number | null];
  readonly headers: Readonly<Record<string, unknown>>;
  readonly callbacks: readonly WireSignature[] | null;
  readonly errbacks: readonly WireSignature[] | null;
  readonly chain: readonly WireSignature[] | null;
  readonly chord: WireSignature | null;
  readonly isEager: boolean;
  /** Aborted on soft time limit, revoke with terminate, or cold shutdown. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /**
   * Retry this task: re-publishes it with `retries + 1` and ends the current run. Always throws (a control
   * signal, not an `Error`), so write `throw ctx.retry(...)` or just `ctx.retry(...)`.
   * Throws {@link MaxRetriesExceededError} (or `exc`) when retries are exhausted.
   */
  retry(options?: RetryOptions): never;
  /**
   * Replace this task with `sig` (a task or a whole canvas; Celery's `Task.replace`): `sig` is sent with this
   * task's id (so whoever waits for this task's result gets `sig`'s), group, chord, callbacks, errbacks and the
   * rest of its chain; this run ends without a result of its own. Always throws (a control signal), so write
   * `return ctx.replace(sig)` or `throw ctx.replace(sig)`.
   */
  replace(sig: SignatureLike): never;
  /** Store a custom state (progress), e.g. `updateState('PROGRESS', { done: 3, total: 10 })`. */
  updateState(state: TaskState, meta?: unknown): Promise<void>;
}
