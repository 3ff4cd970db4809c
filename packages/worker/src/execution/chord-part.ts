/**
 * A chord header task is done (Celery's `backend.on_chord_part_return`, called by the worker after it stores the
 * task's state): with a backend that joins chords natively (Redis), the part is reported; the part that
 * completes the header sends the body with the list of header results, or fails it with a `ChordError` naming the
 * first failed (or revoked) header task. Backends without native chords have `celery.chord_unlock` polling
 * instead, and nothing happens here. Whoever built the chord (q or Python), its header tasks drive it here.
 *
 * Also when a task of a chain fails: Celery marks every later step of the chain failed too, and a later step
 * that is a chord header member reports its part, so neither the chain's result nor the chord waits forever.
 */
import { ChordError } from '@q/core';
import { applyCanvas, dependencyFailed, encodeException, failChordBody, readSignature } from '@q/core/internal';
import type { EncodedException, TaskMeta } from '@q/core';
import type { TaskMessage, WireSignature } from '@q/core/internal';
import type { WorkerRuntime } from '../worker-runtime.js';
import { canvasSender } from './canvas-sender.js';
import { naiveUtcIso } from '@q/core/internal';

/** A chord header member that finished. */
export interface ChordMember {
  readonly id: string;
  readonly groupId: string | null;
  readonly groupIndex: number | null;
  /** The chord body (`embed.chord` of the message). */
  readonly chord: WireSignature | null;
  readonly rootId: string | null;
}

/** Whether anything is to be reported for `member`: it is in a chord and the backend joins natively. */
function joinsNatively(rt: WorkerRuntime, member: ChordMember): boolean {
  return member.chord !== null && member.groupId !== null && rt.backend?.capabilities.chords === 'native' && typeof rt.backend.onChordPartReturn === 'function';
}

/** Report a finished header task (its final `meta`); see the module comment. Never throws. */
export async function chordPartDone(rt: WorkerRuntime, member: ChordMember, meta: TaskMeta): Promise<void> {
  if (!joinsNatively(rt, member)) return;
  const backend = rt.backend;
  const body = member.chord as WireSignature;
  const groupId = member.groupId as string;
  const sender = canvasSender(rt);
  const log = (err: unknown, what: string): void => rt.logger.error({ err, groupId }, what);
  let progress;
  try {
    const part = { groupId, groupIndex: member.groupIndex, taskId: member.id, meta };
    const size = typeof body.chord_size === 'number' ? { chordSize: body.chord_size } : {};
    progress = await backend!.onChordPartReturn!({ ...part, ...size });
  } catch (err) {
    log(err, `Chord ${groupId} raised: could not record the part ${member.id}`);
    await failChordBody(sender, body, new ChordError('Q_ERR_CHORD_FAILED', `Join error: ${String(err)}`, { cause: err }), log);
    return;
  }
  if (!progress.complete) return;
  if (progress.failed) {
    const error = dependencyFailed(progress.failed.taskId, encodeException(progress.failed.meta.result));
    rt.logger.error({ groupId }, `Chord ${groupId} raised: ${error.message}`);
    await failChordBody(sender, body, error, log);
    return;
  }
  try {
    await applyCanvas(sender, body, { args: [progress.results], links: { parentId: member.id, rootId: member.rootId ?? member.id } });
  } catch (err) {
    log(err, `Chord ${groupId}: the body could not be sent`);
    await failChordBody(sender, body, new ChordError('Q_ERR_CHORD_FAILED', `Callback error: ${String(err)}`, { cause: err }), log);
  }
}

/** The chord member a message is (its own fields). */
export function messageMember(message: TaskMessage): ChordMember {
  return { id: message.id, groupId: message.groupId, groupIndex: message.groupIndex, chord: message.embed.chord, rootId: message.rootId };
}

/**
 * A task of a chain failed (or was revoked): the same state is stored for every later step that has an id, and
 * later steps in a chord report their part (Celery's `mark_as_failure` over `request.chain`). Never throws.
 */
export async function failChainRest(rt: WorkerRuntime, message: TaskMessage, status: 'FAILURE' | 'REVOKED', exc: EncodedException, traceback: string | null, storeErrors: boolean): Promise<void> {
  for (const raw of message.embed.chain ?? []) {
    try {
      const step = readSignature(raw, 'chain step');
      const id = typeof step.options.task_id === 'string' ? step.options.task_id : null;
      if (id === null) continue;
      const meta: TaskMeta = { taskId: id, status, result: exc, traceback, children: [], dateDone: naiveUtcIso(new Date()) };
      const groupId = typeof step.options.group_id === 'string' ? step.options.group_id : null;
      if (groupId !== null) meta.groupId = groupId;
      if (storeErrors && rt.backend) {
        const expires = rt.app.conf.result.expires;
        await rt.backend.storeResult(meta, { expiresMs: expires === null ? null : expires * 1000 });
      }
      const chord = step.options.chord;
      if (chord && typeof chord === 'object') {
        const groupIndex = typeof step.options.group_index === 'number' ? step.options.group_index : null;
        await chordPartDone(rt, { id, groupId, groupIndex, chord: readSignature(chord, 'chain step chord'), rootId: message.rootId }, meta);
      }
    } catch (err) {
      rt.logger.error({ err, taskId: message.id }, `could not mark a later step of the failed chain of ${message.name}[${message.id}] as ${status}`);
    }
  }
}
