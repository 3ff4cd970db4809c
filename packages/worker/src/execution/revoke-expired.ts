/**
 * Revoking a task that expired before it ran (Celery: `Request.revoked()` → REVOKED `expired`).
 */
import { encodedTaskRevoked } from '@q/core/internal';
import type { Delivery } from '@q/core/adapter';
import type { TaskMessage } from '@q/core/internal';
import type { WorkerRuntime } from '../worker-runtime.js';
import { hookInfo } from './task-request.js';
import { storeState, storesErrors } from './store-state.js';

/** An expired task: REVOKED `expired` is stored (unless its result is ignored), the message acked, the task not run. */
export async function revokeExpired(rt: WorkerRuntime, delivery: Delivery, message: TaskMessage): Promise<void> {
  rt.logger.info({ taskId: message.id }, `Discarding revoked task: ${message.name}[${message.id}] (expired)`);
  if (storesErrors(rt, message, rt.app.tasks.get(message.name)?.options.ignoreResult ?? false)) {
    await storeState(rt, message, { status: 'REVOKED', result: encodedTaskRevoked('expired'), queue: delivery.info.queue });
  }
  try {
    await delivery.ack();
  } catch (err) {
    rt.logger.error({ err, taskId: message.id }, 'could not ack an expired task');
  }
  if (rt.hasHook('taskRevoked')) await rt.hook('taskRevoked', { ...hookInfo(message), expired: true, terminated: false });
}
