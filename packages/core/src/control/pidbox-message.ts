/**
 * Remote-control (pidbox) messages as Celery 5.2.6 sends them (spec §6, `vectors/control-*.json`): a request is
 * broadcast to the fanout exchange `celery.pidbox` with headers `{clock, expires}`; a reply goes to the direct
 * exchange `reply.celery.pidbox` with the requester's oid as routing key and headers `{ticket, clock}`, its body a
 * one-key object `{<nodename>: <result>}`. Both are JSON. The client (`app.control`) and the worker's pidbox
 * consumer share this module, so the two sides cannot drift apart.
 */
import type { Message } from '../contracts/message.js';
import { ProtocolError } from '../errors/q-error.js';
import { pyJsonParse, pyJsonStringify } from '../protocol/python-json.js';

/** How a request's `pattern` is matched against node names: shell glob (Celery's default) or a regular expression. */
export type ControlMatcher = 'glob' | 'pcre';

/** Where a reply goes: the reply exchange and the requester's oid. */
export interface ControlReplyTo {
  exchange: string;
  routingKey: string;
}

/** A remote-control request (the body Celery's `Mailbox._broadcast` sends), camelCased. */
export interface ControlRequest {
  /** The command: `ping`, `revoke`, `stats`, … */
  method: string;
  /** The command's keyword arguments, with Celery's names (`task_id`, `rate_limit`, …). */
  arguments: Record<string, unknown>;
  /** Node names that run it; `null`: every node (then `pattern` may narrow it). */
  destination: readonly string[] | null;
  /** With no `destination`: node names matching it run the command. */
  pattern: string | null;
  /** How `pattern` matches (`null`: glob). */
  matcher: ControlMatcher | null;
  /** Present when a reply is wanted: replies carry it back. */
  ticket?: string;
  /** Present when a reply is wanted. */
  replyTo?: ControlReplyTo;
}

/** A request as received, with its headers. */
export interface ReceivedControlRequest {
  request: ControlRequest;
  /** The sender's logical clock (`clock` header), when sent. */
  clock: number | undefined;
  /** When the request expires, epoch ms (`expires` header, seconds on the wire); `undefined` when it never does. */
  expiresAt: number | undefined;
}

/** A reply as received. */
export interface ControlReply {
  /** The ticket of the request it answers. */
  ticket: string;
  /** The replying node's name. */
  node: string;
  /** The command's result (`{ok: …}` / `{error: …}` for control commands, the raw value for inspect commands). */
  value: unknown;
  /** The replying node's logical clock, when sent. */
  clock: number | undefined;
}

const JSON_TYPE = 'application/json';
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function jsonMessage(value: unknown, headers: Record<string, unknown>, deliveryMode: 1 | 2): Message {
  return {
    body: encoder.encode(pyJsonStringify(value)),
    contentType: JSON_TYPE,
    contentEncoding: 'utf-8',
    headers,
    properties: { deliveryMode, priority: 0 },
  };
}

function readJsonObject(message: Message, what: string): Record<string, unknown> {
  if (message.contentType !== JSON_TYPE) {
    throw new ProtocolError('Q_ERR_MESSAGE_MALFORMED', `${what} with content type "${message.contentType}": only ${JSON_TYPE} is read`);
  }
  let value: unknown;
  try {
    value = pyJsonParse(decoder.decode(message.body));
  } catch (cause) {
    throw new ProtocolError('Q_ERR_MESSAGE_MALFORMED', `${what} body is not JSON`, { cause });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError('Q_ERR_MESSAGE_MALFORMED', `${what} body is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

const finiteNumber = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

/**
 * The request message: body with Celery's keys (`reply_to` only with a ticket), headers `{clock, expires}`
 * (`expires` in epoch seconds, `0` for never), delivery mode 2.
 */
export function encodeControlRequest(request: ControlRequest, headers: { clock: number; expiresAt?: number }): Message {
  const body: Record<string, unknown> = {
    method: request.method,
    arguments: request.arguments,
    destination: request.destination === null ? null : [...request.destination],
    pattern: request.pattern,
    matcher: request.matcher,
  };
  if (request.ticket !== undefined) body['ticket'] = request.ticket;
  if (request.replyTo !== undefined) body['reply_to'] = { exchange: request.replyTo.exchange, routing_key: request.replyTo.routingKey };
  return jsonMessage(body, { clock: headers.clock, expires: headers.expiresAt === undefined ? 0 : headers.expiresAt / 1000 }, 2);
}

/**
 * Reads a request.
 * @throws ProtocolError `Q_ERR_MESSAGE_MALFORMED` when it is not a JSON object with a string `method`, or a field has
 *   the wrong type.
 */
export function decodeControlRequest(message: Message): ReceivedControlRequest {
  const body = readJsonObject(message, 'control request');
  const method = body['method'];
  if (typeof method !== 'string' || method === '') throw new ProtocolError('Q_ERR_MESSAGE_MALFORMED', 'control request without a method');
  const args = body['arguments'] ?? {};
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    throw new ProtocolError('Q_ERR_MESSAGE_MALFORMED', `control request ${method}: arguments is not an object`);
  }
  const destination = body['destination'] ?? null;
  if (destination !== null && !(Array.isArray(destination) && destination.every((d) => typeof d === 'string'))) {
    throw new ProtocolError('Q_ERR_MESSAGE_MALFORMED', `control request ${method}: destination is not a list of node names`);
  }
  const pattern = body['pattern'] ?? null;
  if (pattern !== null && typeof pattern !== 'string') throw new ProtocolError('Q_ERR_MESSAGE_MALFORMED', `control request ${method}: pattern is not a string`);
  const matcher = body['matcher'] ?? null;
  if (matcher !== null && matcher !== 'glob' && matcher !== 'pcre') {
    throw new ProtocolError('Q_ERR_MESSAGE_MALFORMED', `control request ${method}: unknown matcher ${JSON.stringify(matcher)}`);
  }
  const request: ControlRequest = { method, arguments: args as Record<string, unknown>, destination: destination as string[] | null, pattern, matcher };
  const ticket = body['ticket'];
  const replyTo = body['reply_to'];
  if (ticket !== undefined && ticket !== null) {
    if (typeof ticket !== 'string') throw new ProtocolError('Q_ERR_MESSAGE_MALFORMED', `control request ${method}: ticket is not a string`);
    const r = replyTo as Record<string, unknown> | null | undefined;
    if (typeof r !== 'object' || r === null || typeof r['exchange'] !== 'string' || typeof r['routing_key'] !== 'string') {
      throw new ProtocolError('Q_ERR_MESSAGE_MALFORMED', `control request ${method}: a ticket without a reply_to {exchange, routing_key}`);
    }
    request.ticket = ticket;
    request.replyTo = { exchange: r['exchange'], routingKey: r['routing_key'] };
  }
  const expires = finiteNumber(message.headers['expires']);
  return { request, clock: finiteNumber(message.headers['clock']), expiresAt: expires === undefined || expires === 0 ? undefined : expires * 1000 };
}

/** The reply message: body `{<node>: value}`, headers `{ticket, clock}`, delivery mode 1. */
export function encodeControlReply(node: string, value: unknown, headers: { ticket: string; clock: number }): Message {
  return jsonMessage({ [node]: value === undefined ? null : value }, { ticket: headers.ticket, clock: headers.clock }, 1);
}

/**
 * Reads a reply.
 * @throws ProtocolError `Q_ERR_MESSAGE_MALFORMED` when it has no ticket header or its body is not a one-key object.
 */
export function decodeControlReply(message: Message): ControlReply {
  const ticket = message.headers['ticket'];
  if (typeof ticket !== 'string') throw new ProtocolError('Q_ERR_MESSAGE_MALFORMED', 'control reply without a ticket header');
  const body = readJsonObject(message, 'control reply');
  const nodes = Object.keys(body);
  if (nodes.length !== 1) throw new ProtocolError('Q_ERR_MESSAGE_MALFORMED', `control reply with ${nodes.length} node names (one expected)`);
  const node = nodes[0] as string;
  return { ticket, node, value: body[node], clock: finiteNumber(message.headers['clock']) };
}

/** A shell glob (`fnmatch`: `*`, `?`, `[seq]`, `[!seq]`) as an anchored regular expression. */
function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end === -1) {
        out += '\\[';
        continue;
      }
      let set = glob.slice(i + 1, end);
      const negate = set.startsWith('!');
      if (negate) set = set.slice(1);
      out += `[${negate ? '^' : ''}${set.replace(/[\\\]^]/g, (m) => `\\${m}`)}]`;
      i = end;
    } else out += c.replace(/[.*+?^${}()|[\]\\/]/g, (m) => `\\${m}`);
  }
  return new RegExp(`^${out}$`, 's');
}

/**
 * Whether the node `nodename` runs `request`: named in its `destination`, or — with no destination, or an empty one —
 * matching its `pattern` (glob by default; `pcre`: a regular expression anchored at the start, as Python's `re.match`), or
 * every node when there is neither. A pattern that is not a valid expression matches nothing.
 */
export function isForNode(request: Pick<ControlRequest, 'destination' | 'pattern' | 'matcher'>, nodename: string): boolean {
  // An empty destination names no one, so it is no destination at all (kombu: `if destination:`), as Python runs it.
  if (request.destination !== null && request.destination.length > 0) return request.destination.includes(nodename);
  if (request.pattern === null || request.pattern === '') return true;
  try {
    const re = request.matcher === 'pcre' ? new RegExp(`^(?:${request.pattern})`, 'u') : globToRegExp(request.pattern);
    return re.test(nodename);
  } catch {
    return false;
  }
}
