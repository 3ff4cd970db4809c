/**
 * The sender's part of a message the worker sends while it runs a task: a callback, an errback, a chain step
 * or a retry. It is sent from this worker (`origin` = its hostname), replies to its app's oid, and follows the
 * app's `task.deliveryMode` and `timezone`, as the app's own `sendTask` does.
 */
import type { MessageContext } from '@q/core/internal';
import type { WorkerRuntime } from '../worker-runtime.js';

/** What the caller says about the message: its parent, root, chain, retries, route priority, task defaults. */
export type WorkerMessageFields = Omit<MessageContext, 'origin' | 'replyTo' | 'deliveryMode' | 'timezone' | 'now'> & { now?: Date };

/** The {@link MessageContext} of a message sent by this worker (`now` defaults to the current time). */
export function workerMessageContext(rt: WorkerRuntime, fields: WorkerMessageFields): MessageContext {
  const { conf, oid } = rt.app;
  return { origin: rt.hostname, replyTo: oid, deliveryMode: conf.task.deliveryMode, timezone: conf.timezone, now: new Date(), ...fields };
}
