/** Celery's key names for key-value result backends (`celery/backends/base.py` `KeyValueStoreBackend`). */

/** `celery-task-meta-<id>`: a task's result document. */
export function taskKey(taskId: string): string {
  return `celery-task-meta-${taskId}`;
}

/** `celery-taskset-meta-<gid>`: a saved group (`GroupResult.save()`). */
export function groupKey(groupId: string): string {
  return `celery-taskset-meta-${groupId}`;
}

/** `chord-unlock-<gid>`: the chord counter of generic key-value backends. */
export function chordCounterKey(groupId: string): string {
  return `chord-unlock-${groupId}`;
}

// q's own keys (Celery keeps revoked ids in each worker only).

/** `q-revoked-count`: the last slot number taken in the shared revoked-ids log (`saveRevoked`). */
export const REVOKED_COUNT_KEY = 'q-revoked-count';

/** `q-revoked-<n>`: one batch of the shared revoked-ids log, `{"at": <epoch ms>, "ids": [...]}`. */
export function revokedBatchKey(slot: number): string {
  return `q-revoked-${slot}`;
}
