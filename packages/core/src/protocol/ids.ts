/**
 * Identifiers on the wire: task ids (UUID4), the client's reply-to oid (a UUID-shaped string, as Celery's
 * thread oid is a uuid3 of node/pid/thread/object) and the sender's node name.
 */
import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

/** A random UUID4 string (task ids, group ids, delivery tags). */
export function uuid(): string {
  return randomUUID();
}

/** The RFC 4122 OID namespace Celery uses for its oids. */
const NAMESPACE_OID = Buffer.from('6ba7b8129dad11d180b400c04fd430c8', 'hex');

/** A name-based (version 3, MD5) UUID, as Python's `uuid.uuid3`. */
export function uuid3(namespace: Uint8Array, name: string): string {
  const bytes = createHash('md5').update(namespace).update(name, 'utf8').digest();
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x30;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * A new reply-to oid (`reply_to` property, rpc result queue name, pidbox reply routing key): a uuid3 of
 * host, pid and a random part, shaped like Celery's. Each call returns a new one; an app creates one and
 * keeps it.
 */
export function oid(): string {
  return uuid3(NAMESPACE_OID, `${hostname()}-${process.pid.toString(16)}-${randomUUID()}`);
}

/** The sender node name of a non-worker process: `gen<pid>@<hostname>` (the `origin` header). */
export function originName(): string {
  return `gen${process.pid}@${hostname()}`;
}
