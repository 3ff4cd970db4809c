/**
 * What a finished task sends next: `link` callbacks and the next chain step on success, `link_error`
 * errbacks on failure (Celery's trace: callbacks get the result prepended, errbacks the failed task's id).
 * Each message is built by core's `buildTaskMessage`, as a client's `sendTask` of the same signature would be.
 */
import { buildTaskMessage, signatureCall } from '@q/core/internal';
import type { MessageContext, TaskMessage, WireSignature } from '@q/core/internal';
import type { WorkerRuntime } from '../worker-runtime.js';
import { workerMessageContext } from './message-context.js';

/** A child result tuple as Celery stores it in `children` (`[[id, null], null]`). */
export type ChildTuple = [[string, null], null];

/** Where a follow-up comes from. */
export interface FollowUp {
  /** The task that finished: the parent of what is sent, and whose root it inherits. */
  readonly parent: TaskMessage;
  /** Positional arguments in front of the signature's own (not for immutable signatures). */
  readonly prepend: readonly unknown[];
  /** Remaining chain steps (reversed stack) the sent message carries. */
  readonly chain?: readonly WireSignature[] | null;
}

/**
 * A signature's message takes only its own options, not the defaults of the task it names (`ignoreResult`,
 * `expires`). Celery applies a registered task's; q's worker never has.
 */
const SIGNATURE_DEFAULTS: MessageContext['defaults'] = { ignoreResult: false, expires: null };

/**
 * Send `sig` (a plain task, a chain or a group signature). Returns the ids of the messages sent. Chord and
 * other composite signatures are not sent from the worker yet: they are logged and skipped.
 */
export async function sendSignature(rt: WorkerRuntime, sig: WireSignature, from: FollowUp): Promise<string[]> {
  if (sig.subtask_type === 'chain') {
    const tasks = (Array.isArray(sig.kwargs.tasks) ? sig.kwargs.tasks : []) as WireSignature[];
    const [first, ...rest] = tasks;
    if (!first) return [];
    return sendSignature(rt, first, { ...from, chain: [...rest.reverse(), ...(from.chain ?? [])] });
  }
  if (sig.subtask_type === 'group') {
    const tasks = (Array.isArray(sig.kwargs.tasks) ? sig.kwargs.tasks : []) as WireSignature[];
    const ids: string[] = [];
    for (const member of tasks) ids.push(...(await sendSignature(rt, member, from)));
    return ids;
  }
  if (sig.subtask_type !== null && sig.subtask_type !== undefined) {
    rt.logger.warn({ task: sig.task, subtaskType: sig.subtask_type }, `cannot apply a ${sig.subtask_type} signature from the worker yet; skipped`);
    return [];
  }
  const call = signatureCall(sig, from.prepend);
  // The call's `queue`, `exchange`, `routingKey` and `priority` are its routing options.
  const route = rt.app.route(call.name, call.options);
  const { parent } = from;
  const message = buildTaskMessage({
    ...call,
    context: workerMessageContext(rt, {
      parentId: parent.id,
      rootId: parent.rootId ?? parent.id,
      chain: from.chain ?? null,
      priority: route.priority,
      defaults: SIGNATURE_DEFAULTS,
    }),
  });
  await rt.app.publish(message, route);
  return [message.id];
}

async function sendAll(rt: WorkerRuntime, sigs: readonly WireSignature[], from: FollowUp, what: string): Promise<string[]> {
  const { parent } = from;
  const ids: string[] = [];
  for (const sig of sigs) {
    try {
      ids.push(...(await sendSignature(rt, sig, from)));
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
  const from: FollowUp = { parent, prepend: [result] };
  const ids = await sendAll(rt, parent.embed.callbacks ?? [], from, 'callback');
  const chain = parent.embed.chain ?? [];
  const next = chain.at(-1);
  if (next) ids.push(...(await sendAll(rt, [next], { ...from, chain: chain.slice(0, -1) }, 'chain step')));
  return ids.map((id) => [[id, null], null]);
}

/** On failure: send every errback with the failed task's id prepended (unless immutable). */
export async function applyErrbacks(rt: WorkerRuntime, parent: TaskMessage): Promise<void> {
  await sendAll(rt, parent.embed.errbacks ?? [], { parent, prepend: [parent.id] }, 'errback');
}
