/**
 * `ctx.replace(sig)` (Celery's `Task.replace`): the task's place in its workflow is given to `sig`. `sig` is
 * frozen with the task's own id (so a waiting `get()` gets `sig`'s result), its group, group index and chord;
 * the task's callbacks and errbacks are linked to it (a chain's callbacks to its last step); a group becomes a
 * chord with `celery.accumulate` as its body (so it has one result); the rest of the task's chain follows it.
 * Then it is sent, as a child of the task, and the task ends without a state of its own.
 */
import { SignatureError } from '@q/core';
import { appendOption, applyCanvas, chordSignature, freezeCanvas, readSignature } from '@q/core/internal';
import type { TaskMessage, WireSignature } from '@q/core/internal';
import type { WorkerRuntime } from '../worker-runtime.js';
import { canvasSender } from './canvas-sender.js';

const ACCUMULATE: WireSignature = { task: 'celery.accumulate', args: [], kwargs: { index: 0 }, options: {}, subtask_type: null, immutable: false };

/**
 * Send `replacement` in place of the task of `msg` (see the module comment).
 * @throws SignatureError `Q_ERR_SIGNATURE_INVALID` for a malformed replacement, one that is part of a chord
 *   itself, or an empty chain.
 */
export async function replaceTask(rt: WorkerRuntime, msg: TaskMessage, replacement: WireSignature): Promise<void> {
  let sig = readSignature(replacement, 'replacement');
  if (sig.options.chord !== undefined && sig.options.chord !== null) {
    throw new SignatureError('Q_ERR_SIGNATURE_INVALID', 'a signature replacing a task must not be part of a chord');
  }
  if (sig.subtask_type === 'chain' && Array.isArray(sig.kwargs.tasks) && sig.kwargs.tasks.length === 0) {
    throw new SignatureError('Q_ERR_SIGNATURE_INVALID', 'cannot replace a task with an empty chain');
  }
  if (sig.subtask_type === 'group') sig = chordSignature(sig, ACCUMULATE, {});
  sig = appendOption(appendOption(sig, 'link', msg.embed.callbacks ?? []), 'link_error', msg.embed.errbacks ?? []);
  const sender = canvasSender(rt);
  const rootId = msg.rootId ?? msg.id;
  const frozen = freezeCanvas(sig, {
    oid: sender.oid,
    taskId: msg.id,
    rootId,
    ...(msg.groupId !== null ? { groupId: msg.groupId } : {}),
    ...(msg.groupIndex !== null ? { groupIndex: msg.groupIndex } : {}),
    ...(msg.embed.chord !== null ? { chord: msg.embed.chord } : {}),
  });
  const rest = [...(msg.embed.chain ?? [])].reverse();
  const send: WireSignature =
    rest.length === 0
      ? frozen.sig
      : { task: 'celery.chain', args: [], kwargs: { tasks: [frozen.sig, ...rest] }, options: {}, subtask_type: 'chain', immutable: false };
  await applyCanvas(sender, send, { links: { parentId: msg.id, rootId } });
}
