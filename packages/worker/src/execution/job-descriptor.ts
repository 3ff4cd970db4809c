/**
 * A request as a job descriptor: what a child process or thread needs to run the task body (the request fields of
 * `ctx`, as data), and the callbacks it may ask the main thread to run.
 */
import type { JobCallbacks, JobDescriptor } from '@q/core/adapter';
import type { TaskState } from '@q/core';
import type { WorkerRuntime } from '../worker-runtime.js';
import { storeState } from './store-state.js';
import type { TaskRequest } from './task-request.js';

/** The descriptor of `request`, with its effective `[hard, soft]` limits. */
export function describeJob(rt: WorkerRuntime, request: TaskRequest, timeLimit: [number | null, number | null]): JobDescriptor {
  const { message, delivery } = request;
  const embed = message.embed;
  return {
    taskName: message.name,
    args: message.args,
    kwargs: message.kwargs,
    request: {
      id: message.id,
      name: message.name,
      retries: message.retries,
      eta: message.eta,
      expires: message.expires,
      parentId: message.parentId,
      rootId: message.rootId,
      groupId: message.groupId,
      groupIndex: message.groupIndex,
      hostname: rt.hostname,
      origin: message.origin,
      replyTo: message.replyTo,
      correlationId: message.correlationId,
      deliveryInfo: {
        exchange: delivery.info.exchange,
        routingKey: delivery.info.routingKey,
        priority: delivery.info.priority ?? message.priority,
        redelivered: delivery.info.redelivered,
      },
      timeLimit,
      headers: delivery.message.headers,
      callbacks: embed.callbacks,
      errbacks: embed.errbacks,
      chain: embed.chain,
      chord: embed.chord,
      argsrepr: message.argsrepr,
      kwargsrepr: message.kwargsrepr,
    },
  };
}

/** What a body running elsewhere may ask of the main thread for `request`; `accepted` is the trace's early ack. */
export function jobCallbacks(rt: WorkerRuntime, request: TaskRequest, accepted: (pid?: number) => void): JobCallbacks {
  return {
    accepted,
    updateState: (state, meta) => storeState(rt, request.message, { status: state as TaskState, result: meta ?? null, queue: request.delivery.info.queue }).then(() => undefined),
  };
}
