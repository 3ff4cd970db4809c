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
