/**
 * Chord completion for generic key-value backends, as Celery's `KeyValueStoreBackend.on_chord_part_return` does it:
 * each finished header task increments `chord-unlock-<gid>`; the one that reaches the header size (the saved
 * group's member count) completes the chord, collects the header results in order, and deletes the counter and
 * the saved group.
 */
import type { Logger } from '../contracts/logger.js';
import type { ChordPart, ChordProgress, KeyValueDriver, TaskMeta } from '../contracts/result-backend.js';
import { BackendError } from '../errors/q-error.js';
import { decodeGroupMeta, decodeResultDocument, groupTaskIds } from '../protocol/result-document.js';
import { chordCounterKey, groupKey, taskKey } from './keys.js';

/** How long the counter lives (Celery `expire_chord_timeout`: one day). */
export const CHORD_COUNTER_TTL_MS = 86_400_000;

const FAILED_STATES = new Set(['FAILURE', 'REVOKED']);

/** Record one finished header task; see the module comment. */
export async function chordPartReturn(driver: KeyValueDriver, part: ChordPart, logger: Logger): Promise<ChordProgress> {
  const saved = await driver.get(groupKey(part.groupId));
  if (saved === null) {
    throw new BackendError('Q_ERR_BACKEND_FAILED', `GroupResult ${part.groupId} no longer exists`);
  }
  const ids = groupTaskIds(decodeGroupMeta(saved));
  const size = part.chordSize ?? ids.length;
  const counter = chordCounterKey(part.groupId);
  const value = await driver.incr(counter, 1, CHORD_COUNTER_TTL_MS);
  if (value > size) {
    logger.warn({ groupId: part.groupId, value, size }, 'chord counter incremented too many times');
    return { complete: false };
  }
  if (value < size) return { complete: false };

  const docs = await driver.mget(ids.map(taskKey));
  const metas = docs.map((doc, i): TaskMeta | null =>
    ids[i] === part.taskId ? part.meta : doc === null ? null : decodeResultDocument(doc),
  );
  let failed: { taskId: string; meta: TaskMeta } | null = null;
  metas.forEach((meta, i) => {
    if (failed === null && meta !== null && FAILED_STATES.has(meta.status)) failed = { taskId: ids[i] as string, meta };
  });
  await driver.delete(counter);
  await driver.delete(groupKey(part.groupId));
  return { complete: true, results: metas.map((meta) => (meta === null ? null : meta.result)), failed };
}
