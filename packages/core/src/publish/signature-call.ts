/**
 * A wire signature as a call (Celery's `Signature.apply_async(args)`): the one place where a signature's
 * snake_case options (`task_id`, `routing_key`, `link_error`, …, as Celery writes them) become the camelCase
 * {@link MessageOptions} of `applyAsync`. Options of the wrong type are left out, as if not given; options
 * this list does not name are not applied.
 */
import type { WireSignature } from '../protocol/task-message.js';
import { toWireList } from '../canvas/to-wire.js';
import type { ApplyOptions, SignatureLike } from '../task/types.js';
import type { MessageOptions, TaskCall } from './build-task-message.js';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** `link`/`link_error`: one signature or a list; empty or absent is none. */
function signatures(v: unknown): SignatureLike[] | undefined {
  if (v === null || v === undefined) return undefined;
  const items = Array.isArray(v) ? (v as unknown[]) : [v];
  return items.length === 0 ? undefined : (items as SignatureLike[]);
}

/** Which wire option feeds which {@link MessageOptions} key, and the type it must have. */
const STRINGS = [
  ['task_id', 'taskId'],
  ['eta', 'eta'],
  ['queue', 'queue'],
  ['routing_key', 'routingKey'],
  ['exchange', 'exchange'],
  ['group_id', 'groupId'],
  ['shadow', 'shadow'],
  ['reply_to', 'replyTo'],
  ['root_id', 'rootId'],
  ['parent_id', 'parentId'],
] as const satisfies readonly (readonly [string, keyof MessageOptions])[];
const NUMBERS = [
  ['countdown', 'countdown'],
  ['priority', 'priority'],
  ['group_index', 'groupIndex'],
  ['time_limit', 'timeLimit'],
  ['soft_time_limit', 'softTimeLimit'],
] as const satisfies readonly (readonly [string, keyof MessageOptions])[];

/** A signature's wire options (Celery's names) as {@link MessageOptions}. */
export function messageOptionsFromWire(wire: Readonly<Record<string, unknown>>): MessageOptions {
  const options: MessageOptions = {};
  for (const [from, to] of STRINGS) {
    const v = wire[from];
    if (typeof v === 'string') options[to] = v;
  }
  for (const [from, to] of NUMBERS) {
    const v = wire[from];
    if (typeof v === 'number' && Number.isFinite(v)) options[to] = v;
  }
  const { expires, headers, ignore_result: ignoreResult, chord } = wire;
  if (typeof expires === 'string' || (typeof expires === 'number' && Number.isFinite(expires))) options.expires = expires;
  if (isRecord(headers)) options.headers = { ...headers };
  if (typeof ignoreResult === 'boolean') options.ignoreResult = ignoreResult;
  if (isRecord(chord)) options.chord = chord as WireSignature;
  const link = signatures(wire.link);
  const linkError = signatures(wire.link_error);
  if (link) options.link = link;
  if (linkError) options.linkError = linkError;
  return options;
}

/**
 * `applyAsync` options (camelCase) as a signature's wire options (Celery's names): the inverse of
 * {@link messageOptionsFromWire}, through the same table. Times become ISO-8601 strings, linked signatures
 * wire dicts; publish-only options (`serializer`, `compression`, `retry`, `retryPolicy`) are kept under their
 * Celery names too, as `apply_async` keyword arguments.
 */
export function wireOptionsOf(options: Readonly<ApplyOptions>): Record<string, unknown> {
  const wire: Record<string, unknown> = {};
  for (const [to, from] of [...STRINGS, ...NUMBERS]) {
    const v = (options as Record<string, unknown>)[from];
    if (v !== undefined) wire[to] = v;
  }
  const { eta, expires, headers, ignoreResult, link, linkError, serializer, compression, retry, retryPolicy } = options;
  if (eta !== undefined) wire.eta = eta instanceof Date ? eta.toISOString() : eta;
  if (expires !== undefined) wire.expires = expires instanceof Date ? expires.toISOString() : expires;
  if (headers !== undefined) wire.headers = { ...headers };
  if (ignoreResult !== undefined) wire.ignore_result = ignoreResult;
  if (link !== undefined) wire.link = toWireList(link) ?? [];
  if (linkError !== undefined) wire.link_error = toWireList(linkError) ?? [];
  if (serializer !== undefined) wire.serializer = serializer;
  if (compression !== undefined) wire.compression = compression;
  if (retry !== undefined) wire.retry = retry;
  if (retryPolicy !== undefined) wire.retry_policy = { ...retryPolicy };
  return wire;
}

/**
 * The call `sig` stands for, applied with `prepend` in front of its own positional arguments (a callback gets
 * its parent's result, an errback the failed task's id); an immutable signature keeps its arguments as they are.
 */
export function signatureCall(sig: WireSignature, prepend: readonly unknown[] = []): TaskCall {
  const args = sig.immutable ? [...sig.args] : [...prepend, ...sig.args];
  return { name: sig.task, args, kwargs: { ...sig.kwargs }, options: messageOptionsFromWire(sig.options) };
}
