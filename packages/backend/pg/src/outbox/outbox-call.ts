/**
 * What one outbox row holds: a task call frozen at insert time, so that the relay sends exactly what `app.sendTask`
 * would have sent then. Relative times become absolute (`countdown` → `eta`, a number `expires` or the task's
 * default expiry → a time), the task's message defaults (`ignoreResult`, `serializer`) are pinned, the task id is fixed, and the call is linked to the task running now (if any) and to the
 * sending app's reply queue. The payload is Python-formatted JSON text (the `json` serializer's form: big integers,
 * NaN and key order survive, which `jsonb` would not keep).
 */
import { ConfigError, SerializationError } from '@q/core';
import type { ApplyOptions, WireSignature } from '@q/core';
import { createDefaultRegistry, currentTask, toIsoWithOffset, toWireList, uuid } from '@q/core/internal';

/** The `json` serializer (kombu's Python-formatted JSON). */
const json = createDefaultRegistry().byName('json');
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The options stored with a call: {@link ApplyOptions} with every value plain JSON and the task id set. */
export type StoredApplyOptions = Omit<ApplyOptions, 'eta' | 'expires' | 'countdown' | 'link' | 'linkError'> & {
  taskId: string;
  eta?: string;
  expires?: string;
  link?: WireSignature[];
  linkError?: WireSignature[];
};

/** A call as the relay sends it. */
export interface OutboxCall {
  readonly taskId: string;
  readonly name: string;
  readonly args: readonly unknown[];
  readonly kwargs: Readonly<Record<string, unknown>>;
  readonly options: StoredApplyOptions;
}

/** What freezing a call needs to know besides the call. */
export interface FreezeContext {
  /** The sending app's reply queue (`reply_to`), unless the call sets `replyTo`. */
  readonly replyTo: string;
  /**
   * The task's message defaults (its own options when the sender knows the task), pinned so that the relay sends
   * as the sender would even when the relay's app does not register the task.
   */
  readonly defaults?: { readonly expires: number | null; readonly ignoreResult?: boolean; readonly serializer?: string };
  /** Now (tests pass a fixed time). */
  readonly now?: Date;
}

function seconds(value: unknown, option: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ConfigError('Q_ERR_CONFIG_INVALID', `sendInTransaction: options.${option} must be a finite number of seconds, got ${String(value)}`);
  }
  return value;
}

function timeOf(value: Date | string, option: string): string {
  if (typeof value === 'string') return value;
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new ConfigError('Q_ERR_CONFIG_INVALID', `sendInTransaction: options.${option} must be a Date or an ISO-8601 string`);
  }
  return toIsoWithOffset(value);
}

/**
 * Freezes a call for the outbox (see the module comment). Countdown wins over eta and a countdown of 0 means
 * "now", as in `app.sendTask`.
 * @throws ConfigError `Q_ERR_CONFIG_INVALID` for a countdown, eta or expiry that is not a time.
 */
export function freezeCall(
  name: string,
  args: readonly unknown[],
  kwargs: Readonly<Record<string, unknown>>,
  options: ApplyOptions,
  context: FreezeContext,
): OutboxCall {
  const now = context.now ?? new Date();
  const { countdown, eta, expires, link, linkError, ...rest } = options;
  const stored: StoredApplyOptions = { ...rest, taskId: options.taskId ?? uuid() };
  if (countdown !== undefined && seconds(countdown, 'countdown') !== 0) stored.eta = toIsoWithOffset(new Date(now.getTime() + countdown * 1000));
  else if (eta !== undefined) stored.eta = timeOf(eta, 'eta');
  const exp = expires ?? context.defaults?.expires ?? undefined;
  if (stored.ignoreResult === undefined && context.defaults?.ignoreResult !== undefined) stored.ignoreResult = context.defaults.ignoreResult;
  if (stored.serializer === undefined && context.defaults?.serializer !== undefined) stored.serializer = context.defaults.serializer;
  if (typeof exp === 'number') stored.expires = toIsoWithOffset(new Date(now.getTime() + seconds(exp, 'expires') * 1000));
  else if (exp !== undefined) stored.expires = timeOf(exp, 'expires');
  const links = toWireList(link);
  if (links !== null) stored.link = links;
  const errbacks = toWireList(linkError);
  if (errbacks !== null) stored.linkError = errbacks;
  stored.replyTo ??= context.replyTo;
  const running = currentTask();
  if (running !== undefined) {
    stored.parentId ??= running.id;
    stored.rootId ??= running.rootId;
  }
  return { taskId: stored.taskId, name, args: [...args], kwargs: { ...kwargs }, options: stored };
}

/**
 * The payload text of a call (Python-formatted JSON of `{args, kwargs, options}`).
 * @throws SerializationError `Q_ERR_SERIALIZE_FAILED` when the call holds a value JSON cannot carry.
 */
export function encodeCall(call: OutboxCall): string {
  try {
    return decoder.decode(json.encode({ args: call.args, kwargs: call.kwargs, options: call.options }));
  } catch (cause) {
    if (cause instanceof SerializationError) throw cause;
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new SerializationError('Q_ERR_SERIALIZE_FAILED', `sendInTransaction(${call.name}): the call cannot be stored as JSON: ${reason}`, { cause });
  }
}

/**
 * The call stored in a row.
 * @throws SerializationError `Q_ERR_DESERIALIZE_FAILED` when the payload is not one `encodeCall` wrote.
 */
export function decodeCall(taskId: string, name: string, payload: string): OutboxCall {
  let value: unknown;
  try {
    value = json.decode(encoder.encode(payload));
  } catch (cause) {
    throw new SerializationError('Q_ERR_DESERIALIZE_FAILED', `outbox row of task ${taskId}: payload is not JSON`, { cause });
  }
  const v = value as { args?: unknown; kwargs?: unknown; options?: unknown } | null;
  const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  if (!isObject(v) || !Array.isArray(v.args) || !isObject(v.kwargs) || !isObject(v.options)) {
    throw new SerializationError('Q_ERR_DESERIALIZE_FAILED', `outbox row of task ${taskId}: payload is not {args, kwargs, options}`);
  }
  return { taskId, name, args: v.args, kwargs: v.kwargs, options: { ...(v.options as Omit<StoredApplyOptions, 'taskId'>), taskId } };
}
