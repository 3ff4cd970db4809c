/**
 * What a finished task sends next (Celery's trace): on success its `link` callbacks with the result prepended
 * (several callbacks as one group, as Celery sends them) and the next chain step with the result prepended and
 * the rest of the chain; on failure its `link_error` errbacks with the failed task's id. Every signature, of
 * any kind (a chain, a group, a chord, a map), goes through core's `applyCanvas`, as a client's would.
 */
import { applyCanvas, groupSignature, readSignature } from '@q/core/internal';
import type { ResultTuple } from '@q/core';
import type { TaskMessage, WireSignature } from '@q/core/internal';
import type { WorkerRuntime } from '../worker-runtime.js';
import { canvasSender } from './canvas-sender.js';

/** Where a follow-up comes from. */
export interface FollowUp {
  /** The task that finished: the parent of what is sent, and whose root it inherits. */
  readonly parent: TaskMessage;
  /** Positional arguments in front of the signature's own (not for immutable signatures). */
  readonly prepend: readonly unknown[];
  /** Remaining chain steps (reversed stack) the sent message carries. */
  readonly chain?: readonly WireSignature[] | null;
}

/** Send `sig` (any kind) as a follow-up of `from.parent`; resolves to its result tuple. */
export function sendSignature(rt: WorkerRuntime, sig: WireSignature, from: FollowUp): Promise<ResultTuple> {
  const { parent } = from;
  return applyCanvas(canvasSender(rt), sig, {
    args: from.prepend,
    links: { parentId: parent.id, rootId: parent.rootId ?? parent.id, chain: from.chain ?? null },
  });
}

async function sendAll(rt: WorkerRuntime, sigs: readonly WireSignature[], from: FollowUp, what: string): Promise<ResultTuple[]> {
  const { parent } = from;
  const sent: ResultTuple[] = [];
  for (const sig of sigs) {
    try {
      sent.push(await sendSignature(rt, sig, from));
    } catch (err) {
      rt.logger.error({ err, taskId: parent.id, task: sig.task }, `could not send ${what} ${sig.task} of ${parent.name}[${parent.id}]`);
    }
  }
  return sent;
}

/** Whether a success of `parent` sends anything (callbacks or a next chain step). */
export function hasSuccessFollowUps(parent: TaskMessage): boolean {
  return (parent.embed.callbacks?.length ?? 0) > 0 || (parent.embed.chain?.length ?? 0) > 0;
}

/**
 * On success: the callbacks with `result` prepended (one: as it is; several: the groups among them each as it
 * is, the rest together as one group), then the next chain step (the last element of `embed.chain`) with
 * `result` prepended and the rest of the chain. Returns the result tuples to record in the task's `children`.
 */
export async function applySuccessFollowUps(rt: WorkerRuntime, parent: TaskMessage, result: unknown): Promise<ResultTuple[]> {
  if (!hasSuccessFollowUps(parent)) return [];
  const from: FollowUp = { parent, prepend: [result] };
  const callbacks = parent.embed.callbacks ?? [];
  let sends: WireSignature[] = callbacks;
  if (callbacks.length > 1) {
    const groups = callbacks.filter((c) => c.subtask_type === 'group');
    const tasks = callbacks.filter((c) => c.subtask_type !== 'group');
    sends = tasks.length > 0 ? [...groups, groupSignature(tasks.map((t) => readSignature(t, 'link')), {})] : groups;
  }
  const children = await sendAll(rt, sends, from, 'callback');
  const chain = parent.embed.chain ?? [];
  const next = chain.at(-1);
  if (next) children.push(...(await sendAll(rt, [next], { ...from, chain: chain.slice(0, -1) }, 'chain step')));
  return children;
}

/** On failure: send every errback with the failed task's id prepended (unless immutable). */
export async function applyErrbacks(rt: WorkerRuntime, parent: TaskMessage): Promise<void> {
  await sendAll(rt, parent.embed.errbacks ?? [], { parent, prepend: [parent.id] }, 'errback');
}
