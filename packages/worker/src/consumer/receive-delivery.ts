/**
 * The first look at a delivery: decode it and decide whether it can run (Celery's strategy
 * `task_message_handler` + `Request` checks). Messages that cannot run are settled here.
 */
import { decodeTaskMessageNow, encodedNotRegistered, pyStrRepr } from '@q/core/internal';
import type { Delivery } from '@q/core/adapter';
import type { TaskMessage } from '@q/core/internal';
import type { WorkerRuntime } from '../worker-runtime.js';
import { headerTime, isExpired } from '../execution/task-request.js';
import type { TaskRequest } from '../execution/task-request.js';
import { storeState } from '../execution/store-state.js';
import { revokeExpired } from '../execution/revoke-expired.js';
import { receivedFields } from '../execution/task-events.js';

/** A delivery that can run: now, or at `eta` (epoch ms). */
export interface Received {
  request: TaskRequest;
  eta: number | null;
}

const headerString = (delivery: Delivery, key: string): string | null => {
  const v = delivery.message.headers[key];
  return typeof v === 'string' ? v : null;
};

async function settleQuietly(rt: WorkerRuntime, action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (err) {
    rt.logger.error({ err }, 'could not settle a delivery');
  }
}

/** Drop a message that cannot be decoded (malformed, unknown protocol, content type not accepted). */
async function rejectMalformed(rt: WorkerRuntime, delivery: Delivery, err: unknown): Promise<void> {
  const reason = err instanceof Error ? err.message : String(err);
  const taskId = headerString(delivery, 'id') ?? delivery.message.properties.correlationId ?? null;
  const taskName = headerString(delivery, 'task');
  rt.logger.warn(
    { err, taskId, taskName, queue: delivery.info.queue, contentType: delivery.message.contentType },
    `Rejecting a message that cannot be decoded: ${reason}`,
  );
  await settleQuietly(rt, () => delivery.nack({ requeue: false }));
  await rt.hook('messageRejected', { reason, taskId, taskName });
}

/**
 * An unknown task: FAILURE `NotRegistered` is stored and the message rejected without requeue (Celery ≥ 5.2's
 * `on_unknown_task`), so a dead-letter exchange on its queue receives it.
 */
async function rejectUnknown(rt: WorkerRuntime, delivery: Delivery, message: TaskMessage): Promise<void> {
  rt.logger.error({ taskId: message.id, taskName: message.name }, `Received unregistered task of type '${message.name}'. The message has been rejected and discarded.`);
  await storeState(rt, message, { status: 'FAILURE', result: encodedNotRegistered(message.name), queue: delivery.info.queue });
  await settleQuietly(rt, () => delivery.nack({ requeue: false }));
  rt.taskEventSink?.send('task-failed', { uuid: message.id, exception: `NotRegistered(${pyStrRepr(message.name)})` });
  await rt.hook('messageRejected', { reason: `unregistered task ${message.name}`, taskId: message.id, taskName: message.name });
}

/**
 * Decode `delivery` and check it. Returns the request and its ETA (epoch ms) when the task can run, or
 * `null` when the delivery was settled here (malformed → nack without requeue; unknown task → FAILURE +
 * nack without requeue; expired → REVOKED + ack). Synchronous for a runnable, uncompressed message (the per-message path); a
 * promise when it must wait (decompressing, or settling a message that cannot run).
 */
export function receiveDelivery(rt: WorkerRuntime, delivery: Delivery): Received | Promise<Received | null> {
  let decoded: TaskMessage | Promise<TaskMessage>;
  try {
    decoded = decodeTaskMessageNow(delivery.message, { registry: rt.app.serializers, accept: rt.app.conf.accept });
  } catch (err) {
    return rejectMalformed(rt, delivery, err).then(() => null);
  }
  if (decoded instanceof Promise) {
    return decoded.then(
      (message) => check(rt, delivery, message),
      (err: unknown) => rejectMalformed(rt, delivery, err).then(() => null),
    );
  }
  return check(rt, delivery, decoded);
}

/** The checks after decoding: a known task, a readable expiry and ETA, not expired. */
function check(rt: WorkerRuntime, delivery: Delivery, message: TaskMessage): Received | Promise<null> {
  const task = rt.app.tasks.get(message.name);
  if (!task) return rejectUnknown(rt, delivery, message).then(() => null);
  let expired: boolean;
  let eta: number | null;
  try {
    expired = isExpired(message, rt.app.conf.timezone);
    eta = headerTime(message.eta, rt.app.conf.timezone);
  } catch (err) {
    return rejectMalformed(rt, delivery, err).then(() => null);
  }
  if (expired) return revokeExpired(rt, delivery, message).then(() => null);
  if (rt.nodeState?.isRevoked(message.id) === true) return revokeExpired(rt, delivery, message, 'revoked').then(() => null);
  const events = rt.taskEventSink;
  if (events) events.send('task-received', receivedFields(message));
  return { request: { message, delivery, task }, eta };
}
