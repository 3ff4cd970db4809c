/**
 * Task message → wire (protocol v2), exactly as Celery 5.2.6's `amqp.as_task_v2` + kombu's `Producer.publish`
 * lay it out: headers in Python's order, body `[args, kwargs, embed]`, AMQP-style properties.
 */
import type { Codec, Message, MessageProperties, Serializer } from '../contracts/index.js';
import { originName } from './ids.js';
import { argsRepr, kwargsRepr } from './repr.js';
import type { TaskEmbed, TaskMessage } from './task-message.js';

/** An embed with nothing in it. */
export function emptyEmbed(): TaskEmbed {
  return { callbacks: null, errbacks: null, chain: null, chord: null };
}

/**
 * A complete {@link TaskMessage} from the fields given, with Celery's defaults for the rest: no embed,
 * `retries` 0, no time limits, `rootId` = `id`, `argsrepr`/`kwargsrepr` computed, `origin` = this process,
 * `lang` `js`, `correlationId` = `id`, priority 0, persistent delivery, protocol 2.
 */
export function newTaskMessage(init: Partial<TaskMessage> & { id: string; name: string }): TaskMessage {
  const args = init.args ?? [];
  const kwargs = init.kwargs ?? {};
  return {
    id: init.id,
    name: init.name,
    args,
    kwargs,
    embed: init.embed ?? emptyEmbed(),
    shadow: init.shadow ?? null,
    eta: init.eta ?? null,
    expires: init.expires ?? null,
    groupId: init.groupId ?? null,
    groupIndex: init.groupIndex ?? null,
    retries: init.retries ?? 0,
    timeLimit: init.timeLimit ?? [null, null],
    rootId: init.rootId === undefined ? init.id : init.rootId,
    parentId: init.parentId ?? null,
    argsrepr: init.argsrepr ?? argsRepr(args),
    kwargsrepr: init.kwargsrepr ?? kwargsRepr(kwargs),
    origin: init.origin ?? originName(),
    ignoreResult: init.ignoreResult ?? false,
    lang: init.lang ?? 'js',
    extraHeaders: init.extraHeaders ?? {},
    replyTo: init.replyTo ?? '',
    correlationId: init.correlationId ?? init.id,
    priority: init.priority ?? 0,
    deliveryMode: init.deliveryMode ?? 2,
    expiration: init.expiration ?? null,
    extraProperties: init.extraProperties ?? {},
    protocol: init.protocol ?? 2,
  };
}

/** The v2 headers of a task message, in the order Python writes them, custom headers last. */
export function taskHeaders(msg: TaskMessage): Record<string, unknown> {
  return {
    lang: msg.lang,
    task: msg.name,
    id: msg.id,
    shadow: msg.shadow,
    eta: msg.eta,
    expires: msg.expires,
    group: msg.groupId,
    group_index: msg.groupIndex,
    retries: msg.retries,
    timelimit: [msg.timeLimit[0], msg.timeLimit[1]],
    root_id: msg.rootId,
    parent_id: msg.parentId,
    argsrepr: msg.argsrepr,
    kwargsrepr: msg.kwargsrepr,
    origin: msg.origin,
    ignore_result: msg.ignoreResult,
    // Python's `headers.update(custom)`: a custom key that repeats a known one replaces its value in place.
    ...msg.extraHeaders,
  };
}

/** The v2 body `[args, kwargs, {callbacks, errbacks, chain, chord}]`. */
export function taskBody(msg: TaskMessage): [unknown[], Record<string, unknown>, TaskEmbed] {
  const { callbacks, errbacks, chain, chord } = msg.embed;
  return [msg.args, msg.kwargs, { callbacks, errbacks, chain, chord }];
}

/**
 * Encode a task message as protocol v2. The body is serialized with `serializer` and, when `codec` is given,
 * compressed, with its content type in the `compression` header (appended last, as kombu does). Always
 * protocol v2, whatever `msg.protocol` says.
 */
export async function encodeTaskMessage(
  msg: TaskMessage,
  opts: { serializer: Serializer; codec?: Codec | null },
): Promise<Message> {
  const headers = taskHeaders(msg);
  let body = opts.serializer.encode(taskBody(msg));
  if (opts.codec) {
    body = await opts.codec.encode(body);
    headers.compression = opts.codec.contentType;
  }
  const properties: MessageProperties = {
    correlationId: msg.correlationId,
    replyTo: msg.replyTo,
    deliveryMode: msg.deliveryMode,
    priority: msg.priority,
  };
  if (msg.expiration !== null) properties.expiration = msg.expiration;
  if (Object.keys(msg.extraProperties).length > 0) properties.extra = { ...msg.extraProperties };
  return {
    body,
    contentType: opts.serializer.contentType,
    contentEncoding: opts.serializer.contentEncoding,
    headers,
    properties,
  };
}
