/**
 * Event messages as Celery sends them (spec §7.1, §7.2): the body is the UTF-8 JSON of one event object, or of an
 * array of them for a batch (`task.multi`); content type `application/json`, headers `{hostname}` (the sender),
 * delivery mode 1 (transient). Decoding never throws: a body that is not JSON, or an event without what every
 * event carries, is reported in `errors` and skipped, so one bad sender cannot stop a monitor.
 */
import type { Message } from '@q/core';
import { SerializationError } from '@q/core';
import { pyJsonParse } from '@q/core/adapter';
import type { QEvent } from './event.js';

/** Content type of event messages (Celery's `event_serializer` is `json`). */
export const EVENT_CONTENT_TYPE = 'application/json';

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** An event about to be sent: a flat JSON-serializable object with at least a `type`. */
export type OutgoingEvent = { readonly type: string } & Readonly<Record<string, unknown>>;

/**
 * The message of one event (an object body) or of a batch (an array body), sent by node `hostname`. The JSON is
 * compact (`JSON.stringify`: three events a task at tens of thousands of tasks a second, so the cheapest writer); any
 * JSON reader, Python's included, reads it as Celery's spaced spelling.
 * @throws SerializationError when an event holds what JSON cannot carry (cycles, BigInt).
 */
export function encodeEvents(events: OutgoingEvent | readonly OutgoingEvent[], hostname: string): Message {
  let text: string;
  try {
    text = JSON.stringify(events);
  } catch (err) {
    throw new SerializationError('Q_ERR_SERIALIZE_FAILED', `an event cannot be written as JSON: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  return {
    body: utf8Encoder.encode(text),
    contentType: EVENT_CONTENT_TYPE,
    contentEncoding: 'utf-8',
    headers: { hostname },
    properties: { deliveryMode: 1 },
  };
}

/** What `decodeEvents` found: the well-formed events in body order, and one line per thing it skipped. */
export interface DecodedEvents {
  events: QEvent[];
  errors: string[];
}

/**
 * The events of an event message: `input` is the message, its body bytes, the body text, or an already parsed
 * body. An object body is one event, an array body a batch. Each event must be an object with a non-empty string
 * `type`, a string `hostname` and a finite number `timestamp`; `utcoffset`, `pid` and `clock` must be numbers when
 * present (a `clock` of `null`, as Celery's "blind" events carry, is removed so the receiver stamps its own).
 * Events missing `utcoffset` or `pid` (not Celery's senders) are passed on without them. Never throws.
 */
export function decodeEvents(input: Message | Uint8Array | string | { readonly parsed: unknown }): DecodedEvents {
  const errors: string[] = [];
  let body: unknown;
  if (typeof input === 'object' && 'parsed' in input) {
    body = input.parsed;
  } else {
    let text: string;
    try {
      text = typeof input === 'string' ? input : utf8Decoder.decode(input instanceof Uint8Array ? input : messageBody(input));
    } catch (err) {
      return { events: [], errors: [`event message is not UTF-8 JSON: ${describe(err)}`] };
    }
    try {
      body = pyJsonParse(text);
    } catch (err) {
      return { events: [], errors: [`event message body is not JSON: ${describe(err)}`] };
    }
  }
  const events: QEvent[] = [];
  if (Array.isArray(body)) {
    for (let i = 0; i < body.length; i++) {
      const problem = checkEvent(body[i]);
      if (problem === null) events.push(body[i] as QEvent);
      else errors.push(`event ${i} of the batch skipped: ${problem}`);
    }
  } else {
    const problem = checkEvent(body);
    if (problem === null) events.push(body as QEvent);
    else errors.push(`event skipped: ${problem}`);
  }
  return { events, errors };
}

function messageBody(message: Message): Uint8Array {
  if (message.contentType !== EVENT_CONTENT_TYPE) throw new Error(`content type ${JSON.stringify(message.contentType)} is not ${EVENT_CONTENT_TYPE}`);
  return message.body;
}

/** Why `value` is not an event, or `null` when it is one (a `null` clock is removed on the way). */
function checkEvent(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `not an object (${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value})`;
  const event = value as Record<string, unknown>;
  if (typeof event['type'] !== 'string' || event['type'] === '') return '"type" must be a non-empty string';
  if (typeof event['hostname'] !== 'string') return `${event['type']}: "hostname" must be a string`;
  const timestamp = event['timestamp'];
  if (typeof timestamp !== 'number' || !Number.isFinite(timestamp)) return `${event['type']}: "timestamp" must be a finite number`;
  for (const field of ['utcoffset', 'pid'] as const) {
    if (field in event && typeof event[field] !== 'number') return `${event['type']}: "${field}" must be a number`;
  }
  if ('clock' in event) {
    if (event['clock'] === null) delete event['clock'];
    else if (typeof event['clock'] !== 'number') return `${event['type']}: "clock" must be a number`;
  }
  return null;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
