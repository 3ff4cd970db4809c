/**
 * Skipping a task that expired or was revoked before it ran (Celery: `Request.revoked()` → REVOKED `expired` or
 * `revoked`): when its message arrives, when its ETA comes, or when it gets a pool slot.
 */
import { encodedTaskRevoked } from '@q/core/internal';
import type { Delivery } from '@q/core/adapter';
import type { TaskMessage } from '@q/core/internal';
import type { WorkerRuntime } from '../worker-runtime.js';
import { hookInfo, isExpired } from './task-request.js';
import { storeState, storesErrors, taskMeta } from './store-state.js';
import { chordPartDone, failChainRest, messageMember } from './chord-part.js';
import { revokedFields } from './task-events.js';

/** Why a task that is not run is revoked: `expired` when it is (Celery checks that first), else `revoked` (its id). */
export function revokedWhy(rt: WorkerRuntime, message: TaskMessage): 'expired' | 'revoked' {
  return message.expires !== null && isExpired(message, rt.app.conf.timezone) ? 'expired' : 'revoked';
}

/**
 * A task not run: REVOKED `expired` or `revoked` is stored (unless its result is ignored), its chord part and the
 * rest of its chain are handled, the message acked.
 */
export async function revokeExpired(rt: WorkerRuntime, delivery: Delivery, message: TaskMessage, why: 'expired' | 'revoked' = revokedWhy(rt, message)): Promise<void> {
  const expired = why === 'expired';
  rt.logger.info({ taskId: message.id }, `Discarding revoked task: ${message.name}[${message.id}]${expired ? ' (expired)' : ''}`);
  const storeErrors = storesErrors(rt, message, rt.app.tasks.get(message.name)?.options.ignoreResult ?? false);
  const init = { status: 'REVOKED', result: encodedTaskRevoked(why), queue: delivery.info.queue } as const;
  const meta = storeErrors ? await storeState(rt, message, init) : null;
  // A revoked header task still completes its chord (failing it), and a revoked chain step fails the rest.
  if (message.embed.chord !== null) await chordPartDone(rt, messageMember(message), meta ?? taskMeta(rt, message, init));
  if (message.embed.chain !== null) await failChainRest(rt, message, 'REVOKED', init.result, null, storeErrors);
  try {
    await delivery.ack();
  } catch (err) {
    rt.logger.error({ err, taskId: message.id }, `could not ack a${expired ? 'n expired' : ' revoked'} task`);
  }
  rt.taskEventSink?.send('task-revoked', revokedFields(message.id, { terminated: false, signum: null, expired }));
  if (rt.hasHook('taskRevoked')) await rt.hook('taskRevoked', { ...hookInfo(message), expired, terminated: false });
}
