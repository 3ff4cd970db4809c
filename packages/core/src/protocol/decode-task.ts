/**
 * Wire → task message. Decompresses (`compression` header), checks `accept`, deserializes, detects the
 * protocol as a Celery worker does (headers with `task` → v2, or a v1/v2 "hybrid" when the body is an object
 * with `args`; otherwise a body object with `task` → v1) and validates every field. A malformed message is
 * a {@link ProtocolError} whose message names what is wrong; nothing is ever evaluated.
 */
import type { Message } from '../contracts/index.js';
import { ProtocolError, SerializationError } from '../errors/q-error.js';
import type { SerializerRegistry } from '../serialization/registry.js';
import { argsRepr, kwargsRepr, pythonRepr } from './repr.js';
import type { TaskEmbed, TaskMessage, WireSignature } from './task-message.js';

type Rec = Record<string, unknown>;

/** Header keys the model names; everything else goes to `extraHeaders`. */
const KNOWN_HEADERS = new Set([
  'lang', 'task', 'id', 'shadow', 'eta', 'expires', 'group', 'group_index', 'retries', 'timelimit',
  'root_id', 'parent_id', 'argsrepr', 'kwargsrepr', 'origin', 'ignore_result',
  // transport-level, not task headers: set again by the codec / the broker on the next publish
  'compression', 'redelivered',
]);

const isRecord = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One element of `timelimit`: seconds, or `null`. */
const isLimit = (x: unknown): x is number | null => x === null || (typeof x === 'number' && Number.isFinite(x));

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(String(v)).slice(0, 40)}`;
}

/** The fields that the protocol-specific decoders (`fromV1`, `fromV2`) read themselves. */
type Head = Pick<TaskMessage, 'id' | 'name' | 'args' | 'kwargs' | 'embed'>;

class Reader {
  constructor(private readonly where: string, private readonly taskId: string | null) {}

  fail(reason: string, code: 'Q_ERR_MESSAGE_MALFORMED' | 'Q_ERR_PROTOCOL_UNKNOWN' = 'Q_ERR_MESSAGE_MALFORMED'): never {
    const id = this.taskId ? ` ${this.taskId}` : '';
    throw new ProtocolError(code, `malformed task message${id}: ${reason}`);
  }

  requiredString(src: Rec, key: string): string {
    const v = src[key];
    if (typeof v !== 'string' || v === '') this.fail(`${this.where} "${key}" must be a non-empty string, got ${describe(v)}`);
    return v;
  }

  optString(src: Rec, key: string): string | null {
    const v = src[key];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string') this.fail(`${this.where} "${key}" must be a string or null, got ${describe(v)}`);
    return v;
  }

  optInt(src: Rec, key: string): number | null {
    const v = src[key];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'number' || !Number.isInteger(v)) this.fail(`${this.where} "${key}" must be an integer or null, got ${describe(v)}`);
    return v;
  }

  timeLimit(src: Rec): [number | null, number | null] {
    const v = src.timelimit;
    if (v === undefined || v === null) return [null, null];
    if (!Array.isArray(v) || v.length !== 2 || !isLimit(v[0]) || !isLimit(v[1])) {
      this.fail(`${this.where} "timelimit" must be [hard, soft] (numbers or null), got ${describe(v)}`);
    }
    return [v[0], v[1]];
  }

  /**
   * A list of signatures of the embed. A malformed one does not make the message malformed: the task fails
   * with the reason instead (stored as its result), so it is noted in `problems` and left out.
   */
  signatures(embed: Rec, key: string, problems: string[]): WireSignature[] | null {
    const v = embed[key];
    if (v === undefined || v === null) return null;
    if (!Array.isArray(v)) {
      problems.push(`embed "${key}" must be an array of signatures or null, got ${describe(v)}`);
      return null;
    }
    // A loop, not forEach: a closure over `key` would allocate a context on every call, also for `null`.
    for (let i = 0; i < v.length; i++) {
      const problem = this.signatureProblem(v[i], `embed "${key}"[${i}]`);
      if (problem !== null) {
        problems.push(problem);
        return null;
      }
    }
    return v as WireSignature[];
  }

  signatureProblem(v: unknown, label: string): string | null {
    if (!isRecord(v)) return `${label} must be a signature object, got ${describe(v)}`;
    if (typeof v.task !== 'string') return `${label} has no "task" name`;
    return null;
  }

  embed(v: unknown): TaskEmbed {
    if (!isRecord(v)) this.fail(`body[2] (embed) must be an object, got ${describe(v)}`);
    const problems: string[] = [];
    let chord: WireSignature | null = null;
    if (v.chord !== undefined && v.chord !== null) {
      const problem = this.signatureProblem(v.chord, 'embed "chord"');
      if (problem === null) chord = v.chord as WireSignature;
      else problems.push(problem);
    }
    const embed: TaskEmbed = {
      callbacks: this.signatures(v, 'callbacks', problems),
      errbacks: this.signatures(v, 'errbacks', problems),
      chain: this.signatures(v, 'chain', problems),
      chord,
    };
    if (problems.length > 0) embed.invalid = problems.join('; ');
    return embed;
  }

  args(v: unknown, label: string): unknown[] {
    if (!Array.isArray(v)) this.fail(`${label} (args) must be an array, got ${describe(v)}`);
    return v;
  }

  kwargs(v: unknown, label: string): Rec {
    if (!isRecord(v)) this.fail(`${label} (kwargs) must be an object, got ${describe(v)}`);
    return v;
  }

  /**
   * The whole model: `head`, the header-level fields read from `h` (v2 headers, or a v1 body / hybrid merge in the
   * same shape) and the properties of `message`. Built as one object literal: spreading partial objects into a
   * model this wide allocates every part and is slow.
   */
  taskMessage(head: Head, h: Rec, message: Message, protocol: 1 | 2): TaskMessage {
    const { id, args, kwargs } = head;
    const retries = this.optInt(h, 'retries') ?? 0;
    const ignore = h.ignore_result;
    if (ignore !== undefined && ignore !== null && typeof ignore !== 'boolean') {
      this.fail(`${this.where} "ignore_result" must be a boolean, got ${describe(ignore)}`);
    }
    const p = message.properties;
    return {
      id,
      name: head.name,
      args,
      kwargs,
      embed: head.embed,
      shadow: this.optString(h, 'shadow'),
      eta: this.optString(h, 'eta'),
      expires: this.optString(h, 'expires'),
      groupId: this.optString(h, 'group'),
      groupIndex: this.optInt(h, 'group_index'),
      retries,
      timeLimit: this.timeLimit(h),
      rootId: this.optString(h, 'root_id'),
      parentId: this.optString(h, 'parent_id'),
      argsrepr: this.optString(h, 'argsrepr') ?? argsRepr(args),
      kwargsrepr: this.optString(h, 'kwargsrepr') ?? kwargsRepr(kwargs),
      origin: this.optString(h, 'origin') ?? '',
      ignoreResult: ignore === true,
      lang: this.optString(h, 'lang') ?? 'py',
      extraHeaders: extraHeaders(message.headers),
      replyTo: p.replyTo ?? '',
      correlationId: p.correlationId ?? id,
      priority: p.priority ?? 0,
      deliveryMode: p.deliveryMode ?? 2,
      expiration: p.expiration ?? null,
      extraProperties: p.extra ? { ...p.extra } : {},
      protocol,
    };
  }
}

function extraHeaders(headers: Rec): Rec {
  const out: Rec = {};
  // for…in: headers are a parsed JSON object or a plain record (own keys only), so no entry pairs are needed.
  for (const k in headers) if (!KNOWN_HEADERS.has(k) && Object.hasOwn(headers, k)) out[k] = headers[k];
  return out;
}

/** Decode a v2 (or hybrid) message whose headers name the task. */
function fromV2(message: Message, body: unknown): TaskMessage {
  const headers = message.headers;
  const early: Reader = new Reader('header', typeof headers.id === 'string' ? headers.id : null);
  if (isRecord(body) && 'args' in body) {
    // Hybrid: fields from the body, overlaid by the headers (Celery's hybrid_to_proto2).
    const merged: Rec = { ...body, ...headers };
    const name = early.requiredString(merged, 'task');
    const id = early.requiredString(merged, 'id');
    const r: Reader = new Reader('field', id);
    const args = r.args(body.args ?? [], 'body.args');
    const kwargs = r.kwargs(body.kwargs ?? {}, 'body.kwargs');
    const embed = r.embed({ callbacks: body.callbacks, errbacks: body.errbacks, chord: body.chord, chain: null });
    return r.taskMessage({ id, name, args, kwargs, embed }, merged, message, 2);
  }
  const name = early.requiredString(headers, 'task');
  const id = early.requiredString(headers, 'id');
  const r: Reader = new Reader('header', id);
  if (!Array.isArray(body) || body.length !== 3) {
    r.fail(`body must be a 3-element array [args, kwargs, embed], got ${describe(body)}`);
  }
  const args = r.args(body[0], 'body[0]');
  const kwargs = r.kwargs(body[1], 'body[1]');
  const embed = r.embed(body[2]);
  return r.taskMessage({ id, name, args, kwargs, embed }, headers, message, 2);
}

/** Decode a protocol v1 message (everything in the body object). */
function fromV1(message: Message, body: Rec): TaskMessage {
  const early: Reader = new Reader('body field', typeof body.id === 'string' ? body.id : null);
  const name = early.requiredString(body, 'task');
  const id = early.requiredString(body, 'id');
  const r: Reader = new Reader('body field', id);
  const args = r.args(body.args ?? [], 'body.args');
  const kwargs = r.kwargs(body.kwargs ?? {}, 'body.kwargs');
  const embed = r.embed({ callbacks: body.callbacks, errbacks: body.errbacks, chord: body.chord, chain: body.chain ?? null });
  // v1 names the group `taskset` (and `group` since 3.1); it has no root/parent ids.
  // Celery's proto1_to_proto2 takes argsrepr from saferepr(args): args is a list there, so `[2, 3]`.
  return r.taskMessage(
    { id, name, args, kwargs, embed },
    { ...body, group: body.taskset ?? body.group, root_id: null, parent_id: null, argsrepr: body.argsrepr ?? pythonRepr(args) },
    message,
    1,
  );
}

/**
 * Decode a received task message into the {@link TaskMessage} model.
 *
 * @throws SerializationError `Q_ERR_CONTENT_TYPE_NOT_ACCEPTED` (content type not in `accept`),
 *   `Q_ERR_CODEC_UNKNOWN`, `Q_ERR_SERIALIZER_UNKNOWN`, `Q_ERR_DESERIALIZE_FAILED`.
 * @throws ProtocolError `Q_ERR_MESSAGE_MALFORMED` (bad shape, naming the field) or `Q_ERR_PROTOCOL_UNKNOWN`.
 */
export async function decodeTaskMessage(
  message: Message,
  opts: { registry: SerializerRegistry; accept: readonly string[] },
): Promise<TaskMessage> {
  return decodeTaskMessageNow(message, opts);
}

/**
 * {@link decodeTaskMessage} without a promise when none is needed: the message synchronously, unless its body is
 * compressed (decompressing may be asynchronous), then a promise. Errors are thrown synchronously when they are
 * found before decompressing (the same errors as {@link decodeTaskMessage}). For the worker's per-message path.
 */
export function decodeTaskMessageNow(
  message: Message,
  opts: { registry: SerializerRegistry; accept: readonly string[] },
): TaskMessage | Promise<TaskMessage> {
  const headers = message.headers;
  if (!isRecord(headers)) throw new ProtocolError('Q_ERR_MESSAGE_MALFORMED', 'malformed task message: headers must be an object');
  const compression = headers.compression;
  if (compression === undefined || compression === null) return decodeBody(message, headers, message.body, opts);
  if (typeof compression !== 'string') {
    throw new ProtocolError('Q_ERR_MESSAGE_MALFORMED', `malformed task message: header "compression" must be a string`);
  }
  const codec = opts.registry.codecByContentType(compression);
  return (async () => {
    let bytes: Uint8Array;
    try {
      bytes = await codec.decode(message.body);
    } catch (cause) {
      throw new SerializationError('Q_ERR_DESERIALIZE_FAILED', `cannot decompress body (${compression}): ${String(cause)}`, { cause });
    }
    return decodeBody(message, headers, bytes, opts);
  })();
}

function decodeBody(
  message: Message,
  headers: Record<string, unknown>,
  bytes: Uint8Array,
  opts: { registry: SerializerRegistry; accept: readonly string[] },
): TaskMessage {
  if (!opts.registry.isAccepted(message.contentType, opts.accept)) {
    throw new SerializationError(
      'Q_ERR_CONTENT_TYPE_NOT_ACCEPTED',
      `content type ${JSON.stringify(message.contentType)} is not accepted (accept: ${opts.accept.join(', ') || 'nothing'})`,
    );
  }
  const body = opts.registry.byContentType(message.contentType).decode(bytes);
  if (typeof headers.task === 'string' || 'task' in headers) return fromV2(message, body);
  if (isRecord(body) && 'task' in body) return fromV1(message, body);
  throw new ProtocolError(
    'Q_ERR_PROTOCOL_UNKNOWN',
    `unknown message protocol: no "task" header (v2) and the body is not a v1 task object (got ${describe(body)})`,
  );
}
