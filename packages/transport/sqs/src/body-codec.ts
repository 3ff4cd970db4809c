/**
 * The SQS MessageBody of a kombu envelope: base64 of the envelope JSON (kombu `sqs_base64_encoding`, default on);
 * reading accepts base64 or raw JSON (kombu's `_optional_b64_decode`).
 */
import { markRedelivered } from '@q/core/adapter';

/** The MessageBody for envelope `payload`. */
export function encodeBody(payload: string, base64: boolean): string {
  return base64 ? Buffer.from(payload, 'utf8').toString('base64') : payload;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * kombu's rule: decode the body as base64 only if re-encoding the decoded bytes gives the body back (so a JSON
 * body that happens to contain base64-ish text is left alone); otherwise the body is used as is.
 */
export function decodeBody(body: string): string {
  if (body.length % 4 !== 0 || !BASE64.test(body)) return body;
  const bytes = Buffer.from(body, 'base64');
  if (bytes.toString('base64') !== body) return body;
  return bytes.toString('utf8');
}

/**
 * The lease payload of a received body: the envelope, with `redelivered: true` patched in when SQS delivered it
 * before (`ApproximateReceiveCount` > 1). A body that is not a kombu envelope (not JSON, or no `properties`) is
 * returned unchanged: the core then fails to decode it and rejects it as malformed.
 */
export function leasePayload(body: string, receiveCount: number): string {
  const payload = decodeBody(body);
  if (receiveCount <= 1) return payload;
  try {
    const doc = JSON.parse(payload) as unknown;
    if (typeof doc !== 'object' || doc === null || typeof (doc as { properties?: unknown }).properties !== 'object') return payload;
    return markRedelivered(payload);
  } catch {
    return payload;
  }
}

/** FIFO send parameters from the envelope's properties (kombu: `MessageGroupId` or `default`, dedup id or a UUID4). */
export function fifoIds(payload: string, newId: () => string): { MessageGroupId: string; MessageDeduplicationId: string } {
  let props: Record<string, unknown> = {};
  try {
    const doc = JSON.parse(payload) as { properties?: unknown };
    if (typeof doc.properties === 'object' && doc.properties !== null) props = doc.properties as Record<string, unknown>;
  } catch {
    // not an envelope: defaults
  }
  const group = props['MessageGroupId'];
  const dedup = props['MessageDeduplicationId'];
  return {
    MessageGroupId: typeof group === 'string' && group !== '' ? group : 'default',
    MessageDeduplicationId: typeof dedup === 'string' && dedup !== '' ? dedup : newId(),
  };
}
