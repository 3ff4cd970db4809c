/**
 * q's transport-neutral {@link Message} ↔ AMQP basic properties, as py-amqp/kombu set and read them (spec §1.2):
 * `content_type`, `content_encoding`, `headers` (`application_headers`), `delivery_mode` (2 unless given),
 * `priority` (0 unless given), `correlation_id`, `reply_to`, `expiration`, and the other basic properties
 * (`message_id`, `timestamp`, `type`, `user_id`, `app_id`) through `properties.extra` by their wire names.
 * Unknown extra properties cannot travel on AMQP (py-amqp drops them too).
 */
import type { ConsumeMessage, Options } from 'amqplib';
import type { DeliveryInfo, Message, MessageProperties } from '@q/core/adapter';

/** Basic properties carried in `properties.extra`: wire name → amqplib name. */
const EXTRA: Readonly<Record<string, 'messageId' | 'timestamp' | 'type' | 'userId' | 'appId'>> = {
  message_id: 'messageId',
  timestamp: 'timestamp',
  type: 'type',
  user_id: 'userId',
  app_id: 'appId',
};
const EXTRA_ENTRIES = Object.entries(EXTRA);

/** The message body as a Buffer (no copy). */
export function bodyBuffer(body: Uint8Array): Buffer {
  return Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

/** amqplib publish options for `message`. */
export function publishOptions(message: Message): Options.Publish {
  const p = message.properties;
  const options: Options.Publish = {
    contentType: message.contentType,
    contentEncoding: message.contentEncoding,
    headers: message.headers,
    deliveryMode: p.deliveryMode ?? 2,
    priority: p.priority ?? 0,
  };
  if (p.correlationId !== undefined) options.correlationId = p.correlationId;
  if (p.replyTo !== undefined) options.replyTo = p.replyTo;
  if (p.expiration !== undefined) options.expiration = p.expiration;
  if (p.extra) {
    for (const [wire, name] of EXTRA_ENTRIES) {
      const v = p.extra[wire];
      if (name === 'timestamp') {
        if (typeof v === 'number') options.timestamp = Math.trunc(v);
      } else if (typeof v === 'string') {
        options[name] = v;
      }
    }
  }
  return options;
}

/** The q message of a delivery. */
export function toMessage(raw: ConsumeMessage): Message {
  const p = raw.properties;
  const properties: MessageProperties = {};
  if (typeof p.correlationId === 'string') properties.correlationId = p.correlationId;
  if (typeof p.replyTo === 'string') properties.replyTo = p.replyTo;
  if (p.deliveryMode === 1 || p.deliveryMode === 2) properties.deliveryMode = p.deliveryMode;
  if (typeof p.priority === 'number') properties.priority = p.priority;
  if (typeof p.expiration === 'string') properties.expiration = p.expiration;
  let extra: Record<string, unknown> | undefined;
  for (const [wire, name] of EXTRA_ENTRIES) {
    const v: unknown = p[name];
    if (v !== undefined && v !== null) (extra ??= {})[wire] = v;
  }
  if (extra) properties.extra = extra;
  return {
    body: raw.content,
    contentType: typeof p.contentType === 'string' ? p.contentType : '',
    contentEncoding: typeof p.contentEncoding === 'string' ? p.contentEncoding : '',
    headers: (p.headers as Record<string, unknown> | undefined) ?? {},
    properties,
  };
}

/** Where a delivery came from. */
export function toDeliveryInfo(raw: ConsumeMessage, queue: string): DeliveryInfo {
  const priority = raw.properties.priority;
  return {
    exchange: raw.fields.exchange,
    routingKey: raw.fields.routingKey,
    redelivered: raw.fields.redelivered,
    queue,
    deliveryTag: String(raw.fields.deliveryTag),
    priority: typeof priority === 'number' ? priority : 0,
  };
}
