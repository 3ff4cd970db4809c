/**
 * kombu's virtual-transport envelope: the JSON string a message becomes in Redis lists, SQS bodies and the
 * filesystem broker. Keys and their order follow kombu (`Channel.prepare_message` + `basic_publish`):
 * `body` (base64), `content-encoding`, `content-type`, `headers`, `properties` {correlation_id, reply_to,
 * unknown properties, delivery_mode, expiration, delivery_info {exchange, routing_key}, priority,
 * body_encoding, delivery_tag}.
 */
import type { Message, MessageProperties } from '../contracts/index.js';
import { ProtocolError } from '../errors/q-error.js';
import { pyJsonParse, pyJsonStringify } from './python-json.js';

type Rec = Record<string, unknown>;

const utf8 = new TextEncoder();

const isRecord = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Where the envelope was published, and its kombu delivery tag (a fresh UUID4 per publish). */
export interface EnvelopeFields {
  exchange: string;
  routingKey: string;
  deliveryTag: string;
}

/** A decoded envelope. */
export interface DecodedEnvelope {
  message: Message;
  exchange: string;
  routingKey: string;
  deliveryTag: string;
  /** `properties.delivery_info.redelivered` or `headers.redelivered` was set (a restored message). */
  redelivered: boolean;
  priority: number;
}

/** Encode a message as kombu's envelope, formatted as Python would (so Python sees its own bytes). */
export function encodeEnvelope(message: Message, fields: EnvelopeFields): string {
  const p = message.properties;
  const properties: Rec = {};
  if (p.correlationId !== undefined) properties.correlation_id = p.correlationId;
  if (p.replyTo !== undefined) properties.reply_to = p.replyTo;
  if (p.extra) {
    for (const [k, v] of Object.entries(p.extra)) {
      if (!(k in properties)) properties[k] = v;
    }
  }
  properties.delivery_mode = p.deliveryMode ?? 2;
  if (p.expiration !== undefined) properties.expiration = p.expiration;
  properties.delivery_info = { exchange: fields.exchange, routing_key: fields.routingKey };
  properties.priority = p.priority ?? 0;
  properties.body_encoding = 'base64';
  properties.delivery_tag = fields.deliveryTag;
  // The body goes in as written: base64 never needs escaping, and scanning a large body for it is wasted work.
  const rest = pyJsonStringify({
    body: '',
    'content-encoding': message.contentEncoding,
    'content-type': message.contentType,
    headers: message.headers,
    properties,
  });
  const body = Buffer.from(message.body.buffer, message.body.byteOffset, message.body.byteLength).toString('base64');
  return `${EMPTY_BODY_HEAD}${body}"${rest.slice(EMPTY_BODY_HEAD.length + 1)}`;
}

/** How the envelope's JSON starts when its body is empty: `{"body": "` (the closing quote follows). */
const EMPTY_BODY_HEAD = '{"body": "';

/** Envelope properties that are kombu bookkeeping, not message properties. */
const ENVELOPE_ONLY = new Set(['delivery_info', 'body_encoding', 'delivery_tag']);
/** Properties mapped to named {@link MessageProperties} fields. */
const NAMED = new Set(['correlation_id', 'reply_to', 'delivery_mode', 'priority', 'expiration']);

function malformed(reason: string): never {
  throw new ProtocolError('Q_ERR_MESSAGE_MALFORMED', `malformed envelope: ${reason}`);
}

function parse(payload: string): Rec {
  let doc: unknown;
  try {
    doc = pyJsonParse(payload);
  } catch (cause) {
    throw new ProtocolError('Q_ERR_MESSAGE_MALFORMED', `malformed envelope: not JSON (${String(cause)})`, { cause });
  }
  if (!isRecord(doc)) malformed('not a JSON object');
  return doc;
}

/**
 * Decode an envelope. The body is base64-decoded when `properties.body_encoding` is `base64`, otherwise taken
 * as the raw string (UTF-8). Requires `body`, `properties.delivery_tag` and `properties.delivery_info`
 * `{exchange, routing_key}`, which a Python worker needs too.
 *
 * @throws ProtocolError `Q_ERR_MESSAGE_MALFORMED` naming the missing or mistyped key.
 */
export function decodeEnvelope(payload: string): DecodedEnvelope {
  const doc = parse(payload);
  const props = doc.properties;
  if (!isRecord(props)) malformed('"properties" must be an object');
  if (typeof doc.body !== 'string') malformed('"body" must be a string');
  const info = props.delivery_info;
  if (!isRecord(info)) malformed('"properties.delivery_info" must be an object');
  if (typeof info.exchange !== 'string') malformed('"properties.delivery_info.exchange" must be a string');
  if (typeof info.routing_key !== 'string') malformed('"properties.delivery_info.routing_key" must be a string');
  if (typeof props.delivery_tag !== 'string') malformed('"properties.delivery_tag" must be a string');
  const headers = doc.headers === undefined || doc.headers === null ? {} : doc.headers;
  if (!isRecord(headers)) malformed('"headers" must be an object');
  const encoding = props.body_encoding;
  const body =
    encoding === 'base64'
      ? new Uint8Array(Buffer.from(doc.body, 'base64'))
      : encoding === undefined || encoding === null
        ? utf8.encode(doc.body)
        : malformed(`unsupported body_encoding ${JSON.stringify(encoding)}`);

  const properties: MessageProperties = {};
  let extra: Rec | undefined;
  // for…in (own keys only) walks the parsed object in order without allocating entry pairs.
  for (const k in props) {
    if (!Object.hasOwn(props, k)) continue;
    const v = props[k];
    if (k === 'correlation_id' && typeof v === 'string') properties.correlationId = v;
    else if (k === 'reply_to' && typeof v === 'string') properties.replyTo = v;
    else if (k === 'delivery_mode' && (v === 1 || v === 2)) properties.deliveryMode = v;
    else if (k === 'priority' && typeof v === 'number') properties.priority = v;
    else if (k === 'expiration' && typeof v === 'string') properties.expiration = v;
    else if (!ENVELOPE_ONLY.has(k) && !NAMED.has(k)) (extra ??= {})[k] = v;
  }
  if (extra) properties.extra = extra;
  const priority = typeof props.priority === 'number' ? props.priority : 0;
  return {
    message: {
      body,
      contentType: typeof doc['content-type'] === 'string' ? doc['content-type'] : '',
      contentEncoding: typeof doc['content-encoding'] === 'string' ? doc['content-encoding'] : 'utf-8',
      headers,
      properties,
    },
    exchange: info.exchange,
    routingKey: info.routing_key,
    deliveryTag: props.delivery_tag,
    redelivered: info.redelivered === true || headers.redelivered === true,
    priority,
  };
}

/**
 * Mark an envelope as redelivered the way kombu's restore does: `headers.redelivered = true` and
 * `properties.delivery_info.redelivered = true`; everything else is kept.
 */
export function markRedelivered(payload: string): string {
  const doc = parse(payload);
  const headers = isRecord(doc.headers) ? doc.headers : (doc.headers = {}) as Rec;
  headers.redelivered = true;
  if (!isRecord(doc.properties)) malformed('"properties" must be an object');
  const info = isRecord(doc.properties.delivery_info) ? doc.properties.delivery_info : (doc.properties.delivery_info = {}) as Rec;
  info.redelivered = true;
  return pyJsonStringify(doc);
}
