/**
 * What a finished task sends next: `link` callbacks and the next chain step on success, `link_error`
 * errbacks on failure (Celery's trace: callbacks get the result prepended, errbacks the failed task's id).
 */
import type { TaskMessage, WireSignature } from '@q/core';
import type { WorkerRuntime } from '../runtime.js';
import { signatureMessage } from './signature-message.js';
import type { SignatureCall } from './signature-message.js';

/** A child result tuple as Celery stores it in `children` (`[[id, null], null]`). */
export type ChildTuple = [[string, null], null];

/**
 * Send `sig` (a plain task, a chain or a group signature). Returns the ids of the messages sent. Chord and
 * other composite signatures are not sent from the worker yet: they are logged and skipped.
 */
export async function sendSignature(rt: WorkerRuntime, sig: WireSignature, call: SignatureCall): Promise<string[]> {
  if (sig.subtask_type === 'chain') {
    const tasks = (Array.isArray(sig.kwargs.tasks) ? sig.kwargs.tasks : []) as WireSignature[];
    const [first, ...rest] = tasks;
    if (!first) return [];
    return sendSignature(rt, first, { ...call, chain: [...rest.reverse(), ...(call.chain ?? [])] });
  }
  if (sig.subtask_type === 'group') {
    const tasks = (Array.isArray(sig.kwargs.tasks) ? sig.kwargs.tasks : []) as WireSignature[];
    const ids: string[] = [];
    for (const member of tasks) ids.push(...(await sendSignature(rt, member, call)));
    return ids;
  }
  if (sig.subtask_type !== null && sig.subtask_type !== undefined) {
    rt.logger.warn({ task: sig.task, subtaskType: sig.subtask_type }, `cannot apply a ${sig.subtask_type} signature from the worker yet; skipped`);
    return [];
  }
  const { message, route } = signatureMessage(sig, call);
  await rt.app.publish(message, rt.app.route(message.name, route));
  return [message.id];
}

function callFrom(rt: WorkerRuntime, parent: TaskMessage, prepend: readonly unknown[]): SignatureCall {
  return {
    prepend,
    parentId: parent.id,
    rootId: parent.rootId ?? parent.id,
    replyTo: rt.app.oid,
    origin: rt.hostname,
  };
}

async function sendAll(rt: WorkerRuntime, parent: TaskMessage, sigs: readonly WireSignature[], call: SignatureCall, what: string): Promise<string[]> {
  const ids: string[] = [];
  for (const sig of sigs) {
    try {
      ids.push(...(await sendSignature(rt, sig, call)));
    } catch (err) {
      rt.logger.error({ err, taskId: parent.id, task: sig.task }, `could not send ${what} ${sig.task} of ${parent.name}[${parent.id}]`);
    }
  }
  return ids;
}

/** Whether a success of `parent` sends anything (callbacks or a next chain step). */
export function hasSuccessFollowUps(parent: TaskMessage): boolean {
  return (parent.embed.callbacks?.length ?? 0) > 0 || (parent.embed.chain?.length ?? 0) > 0;
}

/**
 * On success: send every callback with `result` prepended (unless immutable), then the next chain step
 * (the last element of `embed.chain`) with `result` prepended and the rest of the chain. Returns the
 * children to record in the task's result.
 */
export async function applySuccessFollowUps(rt: WorkerRuntime, parent: TaskMessage, result: unknown): Promise<ChildTuple[]> {
  if (!hasSuccessFollowUps(parent)) return [];
  const call = callFrom(rt, parent, [result]);
  const ids = await sendAll(rt, parent, parent.embed.callbacks ?? [], call, 'callback');
  const chain = parent.embed.chain ?? [];
  const next = chain.at(-1);
  if (next) ids.push(...(await sendAll(rt, parent, [next], { ...call, chain: chain.slice(0, -1) }, 'chain step')));
  return ids.map((id) => [[id, null], null]);
}

/** On failure: send every errback with the failed task's id prepended (unless immutable). */
export async function applyErrbacks(rt: WorkerRuntime, parent: TaskMessage): Promise<void> {
  await sendAll(rt, parent, parent.embed.errbacks ?? [], callFrom(rt, parent, [parent.id]), 'errback');
}
