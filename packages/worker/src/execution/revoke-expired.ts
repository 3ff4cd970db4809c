/**
 * Revoking a task that expired before it ran (Celery: `Request.revoked()` → REVOKED `expired`).
 */
import { encodedTaskRevoked } from '@q/core/internal';
import type { Delivery } from '@q/core/adapter';
import type { TaskMessage } from '@q/core/internal';
import type { WorkerRuntime } from '../worker-runtime.js';
import { hookInfo } from './task-request.js';
import { storeState, storesErrors, taskMeta } from './store-state.js';
import { chordPartDone, failChainRest, messageMember } from './chord-part.js';

/** An expired task: REVOKED `expired` is stored (unless its result is ignored), the message acked, the task not run. */
export async function revokeExpired(rt: WorkerRuntime, delivery: Delivery, message: TaskMessage): Promise<void> {
  rt.logger.info({ taskId: message.id }, `Discarding revoked task: ${message.name}[${message.id}] (expired)`);
  const storeErrors = storesErrors(rt, message, rt.app.tasks.get(message.name)?.options.ignoreResult ?? false);
  const init = { status: 'REVOKED', result: encodedTaskRevoked('expired'), queue: delivery.info.queue } as const;
  const meta = storeErrors ? await storeState(rt, message, init) : null;
  // A revoked header task still completes its chord (failing it), and a revoked chain step fails the rest.
  if (message.embed.chord !== null) await chordPartDone(rt, messageMember(message), meta ?? taskMeta(rt, message, init));
  if (message.embed.chain !== null) await failChainRest(rt, message, 'REVOKED', init.result, null, storeErrors);
  try {
    await delivery.ack();
  } catch (err) {
    rt.logger.error({ err, taskId: message.id }, 'could not ack an expired task');
  }
  if (rt.hasHook('taskRevoked')) await rt.hook('taskRevoked', { ...hookInfo(message), expired: true, terminated: false });
}
