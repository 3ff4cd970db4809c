/**
 * The rpc result message, as Celery 5.2.6 sends it (`RPCBackend.store_result`): body
 * `{"task_id", "status", "result", "traceback", "children"}` as JSON, content type `application/json`, encoding
 * `utf-8`, no headers, `correlation_id` = the task id, delivery mode 1 (2 when persistent), priority 0. It is
 * published to the default exchange `""` with routing key = the task's `reply_to`.
 */
import { ProtocolError } from '@q/core';
import { decodeResultDocument, encodeRpcResult } from '@q/core/adapter';
import type { TaskMeta } from '@q/core';
import type { Message, QueueDeclaration } from '@q/core/adapter';

/** Celery's rpc results go through the default (anonymous direct) exchange. */
export const REPLY_EXCHANGE = '';

const JSON_TYPE = 'application/json';
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** The message carrying `meta` to the caller. `correlationId` is the task message's (the task id). */
export function replyMessage(meta: TaskMeta, correlationId: string, persistent: boolean): Message {
  return {
    body: encoder.encode(encodeRpcResult(meta)),
    contentType: JSON_TYPE,
    contentEncoding: 'utf-8',
    headers: {},
    properties: { correlationId, deliveryMode: persistent ? 2 : 1, priority: 0 },
  };
}

/**
 * The reply queue of a client: named by its oid, `durable: false`, `autoDelete: true`, `x-expires` = the result
 * expiry in ms (none when results never expire), bound to the default exchange only — Celery's `RPCBackend.binding`,
 * flag for flag (RabbitMQ refuses a second declaration with other flags).
 */
export function replyQueue(oid: string, expiresMs: number | null): QueueDeclaration {
  const queue: QueueDeclaration = { name: oid, durable: false, exclusive: false, autoDelete: true };
  if (expiresMs !== null) queue.arguments = { 'x-expires': Math.max(1, Math.trunc(expiresMs)) };
  return queue;
}

/**
 * The state a reply message carries. The task id is the body's `task_id` (what Python reads), else the
 * `correlation_id`.
 * @throws ProtocolError `Q_ERR_MESSAGE_MALFORMED` when it is not a JSON result document with a task id.
 */
export function readReply(message: Message): TaskMeta {
  if (message.contentType !== JSON_TYPE) {
    throw new ProtocolError('Q_ERR_MESSAGE_MALFORMED', `rpc reply with content type "${message.contentType}": only ${JSON_TYPE} is read`);
  }
  let text: string;
  try {
    text = decoder.decode(message.body);
  } catch (cause) {
    throw new ProtocolError('Q_ERR_MESSAGE_MALFORMED', 'rpc reply body is not UTF-8', { cause });
  }
  const meta = decodeResultDocument(text, message.properties.correlationId);
  if (meta.taskId === '') throw new ProtocolError('Q_ERR_MESSAGE_MALFORMED', 'rpc reply names no task (no task_id, no correlation_id)');
  return meta;
}
