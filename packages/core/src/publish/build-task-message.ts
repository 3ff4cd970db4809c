/**
 * The one way a task message is made (Celery's `amqp.as_task_v2` plus `send_task`'s defaults): the client's
 * `applyAsync`/`sendTask`, a worker's callbacks, errbacks and chain steps, and a worker's retries all call
 * {@link buildTaskMessage}, so the same call gives the same message whoever sends it.
 *
 * A call is a task name, arguments and camelCase {@link MessageOptions} (what `applyAsync` takes); a wire
 * signature becomes one through `signatureCall`. The {@link MessageContext} is what the sender adds: who it
 * is, the task it runs (parent and root ids, the rest of a chain, a retry count), the route's priority and
 * the app's settings.
 *
 * Times, as Celery: `countdown` wins over `eta`, and a countdown of 0 means "now" (`if countdown:`), so no
 * eta; `expires` (seconds from `now`, a Date or an ISO string) gives the `expires` header and the AMQP
 * `expiration` property (its milliseconds from `now`, never negative). Naive ISO strings are read in the
 * app's time zone; every time is written as aware UTC ISO-8601.
 */
import { ConfigError } from '../errors/q-error.js';
import { newTaskMessage } from '../protocol/encode-task.js';
import { uuid } from '../protocol/ids.js';
import type { TaskMessage, WireSignature } from '../protocol/task-message.js';
import { parseIsoDate, toIsoWithOffset } from '../protocol/time.js';
import { toWireList, toWireSignature } from '../canvas/to-wire.js';
import type { MessageDefaults } from '../task/task-options.js';
import type { ApplyOptions, SignatureLike } from '../task/types.js';

/** The options of one call that shape its message and route: `applyAsync`'s, less the publish ones. */
export interface MessageOptions extends Omit<ApplyOptions, 'serializer' | 'compression' | 'retry' | 'retryPolicy'> {
  /** The chord body this message is a header member of (Celery's `chord` option). */
  chord?: SignatureLike;
}

/** A call of a task: its name, its arguments and its options. */
export interface TaskCall {
  /** Registered task name. */
  name: string;
  args: readonly unknown[];
  kwargs: Readonly<Record<string, unknown>>;
  options: MessageOptions;
}

/** What the sender adds to a call. */
export interface MessageContext {
  /** Sender node name (`origin` header): a client's `gen<pid>@<host>`, a worker's hostname. */
  readonly origin: string;
  /** `reply_to` when the options name none (the sending app's oid). */
  readonly replyTo: string;
  /** The task that sends this one; `options.parentId` wins. */
  readonly parentId?: string | null;
  /** The root of the workflow; `options.rootId` wins, and without either the message is its own root. */
  readonly rootId?: string | null;
  /** Remaining chain steps the message carries (reversed: the next step is the last element). */
  readonly chain?: readonly WireSignature[] | null;
  /** How many times this task ran before (a retry's count; 0 for a new call). */
  readonly retries?: number;
  /** `argsrepr`/`kwargsrepr` to keep instead of computing them (a retry with the same arguments). */
  readonly argsrepr?: string;
  readonly kwargsrepr?: string;
  /** Message properties passed on unchanged (a retry keeps its request's). */
  readonly extraProperties?: Readonly<Record<string, unknown>>;
  /** The route's priority (the call's, the task's, `task.routes`' or `task.defaultPriority`); `null` sends 0. */
  readonly priority: number | null;
  /** The task's defaults for what the call leaves out. */
  readonly defaults: Pick<MessageDefaults, 'ignoreResult' | 'expires'>;
  /** `task.deliveryMode`. */
  readonly deliveryMode: 'persistent' | 'transient';
  /** The app's time zone (`timezone`): naive `eta`/`expires` strings are read in it. */
  readonly timezone: string;
  /** The time a countdown and a relative expiry count from. */
  readonly now: Date;
}

/** Everything one task message is built from. */
export interface TaskMessageInput extends TaskCall {
  context: MessageContext;
}

function seconds(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ConfigError('Q_ERR_CONFIG_INVALID', `applyAsync options.${what}: expected a number of seconds`);
  }
  return value;
}

function toDate(value: Date | string, what: string, timezone: string): Date {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new ConfigError('Q_ERR_CONFIG_INVALID', `applyAsync options.${what}: invalid Date`);
    return value;
  }
  try {
    return parseIsoDate(value, timezone);
  } catch (err) {
    throw new ConfigError('Q_ERR_CONFIG_INVALID', `applyAsync options.${what}: expected a Date or an ISO-8601 string`, { cause: err });
  }
}

/**
 * The task message of one call. Pure: ids come from `options.taskId` (else a new UUID), times from
 * `context.now`.
 *
 * @throws ConfigError (`Q_ERR_CONFIG_INVALID`) naming the option when `countdown`, `eta` or `expires` is not a
 *   number of seconds, a Date or an ISO-8601 string.
 */
export function buildTaskMessage(input: TaskMessageInput): TaskMessage {
  const { name, args, kwargs, options, context } = input;
  const { now, timezone } = context;
  const id = options.taskId ?? uuid();

  let eta: string | null = null;
  // As Celery (`if countdown:`), a countdown of 0 means "now": no eta.
  if (options.countdown !== undefined && options.countdown !== 0) eta = toIsoWithOffset(new Date(now.getTime() + seconds(options.countdown, 'countdown') * 1000));
  else if (options.eta !== undefined) eta = toIsoWithOffset(toDate(options.eta, 'eta', timezone));

  let expires: string | null = null;
  let expiration: string | null = null;
  const exp = options.expires ?? context.defaults.expires ?? undefined;
  if (exp !== undefined) {
    const at = typeof exp === 'number' ? new Date(now.getTime() + seconds(exp, 'expires') * 1000) : toDate(exp, 'expires', timezone);
    const ttlS = typeof exp === 'number' ? exp : (at.getTime() - now.getTime()) / 1000;
    expires = toIsoWithOffset(at);
    expiration = String(Math.trunc(Math.max(0, ttlS) * 1000));
  }

  const chain = context.chain && context.chain.length > 0 ? [...context.chain] : null;
  const init: Parameters<typeof newTaskMessage>[0] = {
    id,
    name,
    args: [...args],
    kwargs: { ...kwargs },
    embed: {
      callbacks: toWireList(options.link),
      errbacks: toWireList(options.linkError),
      chain,
      chord: options.chord === undefined ? null : toWireSignature(options.chord),
    },
    shadow: options.shadow ?? null,
    eta,
    expires,
    groupId: options.groupId ?? null,
    groupIndex: options.groupIndex ?? null,
    retries: context.retries ?? 0,
    timeLimit: [options.timeLimit ?? null, options.softTimeLimit ?? null],
    rootId: options.rootId ?? context.rootId ?? id,
    parentId: options.parentId ?? context.parentId ?? null,
    origin: context.origin,
    ignoreResult: options.ignoreResult ?? context.defaults.ignoreResult,
    extraHeaders: { ...(options.headers ?? {}) },
    replyTo: options.replyTo ?? context.replyTo,
    correlationId: id,
    priority: context.priority ?? 0,
    deliveryMode: context.deliveryMode === 'persistent' ? 2 : 1,
    expiration,
    extraProperties: { ...(context.extraProperties ?? {}), ...(options.properties ?? {}) },
  };
  const argsrepr = options.argsrepr ?? context.argsrepr;
  const kwargsrepr = options.kwargsrepr ?? context.kwargsrepr;
  if (argsrepr !== undefined) init.argsrepr = argsrepr;
  if (kwargsrepr !== undefined) init.kwargsrepr = kwargsrepr;
  return newTaskMessage(init);
}
