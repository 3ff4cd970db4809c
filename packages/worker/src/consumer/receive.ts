/**
 * The first look at a delivery: decode it and decide whether it can run (Celery's strategy
 * `task_message_handler` + `Request` checks). Messages that cannot run are settled here.
 */
import { decodeTaskMessage } from '@q/core';
import type { Delivery, TaskMessage } from '@q/core';
import type { WorkerRuntime } from '../runtime.js';
import { headerTime, isExpired } from '../execution/request.js';
import type { TaskRequest } from '../execution/request.js';
import { notRegistered, storeState } from '../execution/results.js';
import { revokeExpired } from '../execution/revoke.js';

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

/** An unknown task: FAILURE `NotRegistered` is stored (as Celery does) and the message acked. */
async function rejectUnknown(rt: WorkerRuntime, delivery: Delivery, message: TaskMessage): Promise<void> {
  rt.logger.error({ taskId: message.id, taskName: message.name }, `Received unregistered task of type '${message.name}'. The message has been ignored and discarded.`);
  await storeState(rt, message, { status: 'FAILURE', result: notRegistered(message.name), queue: delivery.info.queue });
  await settleQuietly(rt, () => delivery.ack());
  await rt.hook('messageRejected', { reason: `unregistered task ${message.name}`, taskId: message.id, taskName: message.name });
}

/**
 * Decode `delivery` and check it. Returns the request and its ETA (epoch ms) when the task can run, or
 * `null` when the delivery was settled here (malformed → nack without requeue; unknown task → FAILURE +
 * ack; expired → REVOKED + ack).
 */
export async function receiveDelivery(rt: WorkerRuntime, delivery: Delivery): Promise<Received | null> {
  let message: TaskMessage;
  try {
    message = await decodeTaskMessage(delivery.message, { registry: rt.app.serializers, accept: rt.app.conf.accept });
  } catch (err) {
    await rejectMalformed(rt, delivery, err);
    return null;
  }
  const task = rt.app.tasks.get(message.name);
  if (!task) {
    await rejectUnknown(rt, delivery, message);
    return null;
  }
  let expired: boolean;
  let eta: number | null;
  try {
    expired = isExpired(message, rt.app.conf.timezone);
    eta = headerTime(message.eta, rt.app.conf.timezone);
  } catch (err) {
    await rejectMalformed(rt, delivery, err);
    return null;
  }
  if (expired) {
    await revokeExpired(rt, delivery, message);
    return null;
  }
  return { request: { message, delivery, task }, eta };
}
