/**
 * Shared revokes for generic key-value backends (`saveRevoked`/`loadRevoked`): an append-only log of batches.
 *
 * Each save takes the next slot number from the counter `q-revoked-count` (`incr`, atomic in every driver that
 * declares `atomicIncr`) and writes its batch, `{"at": <epoch ms>, "ids": [...]}`, under `q-revoked-<n>` with the
 * batch's time to live. Concurrent writers so never touch the same key, and nothing is read, extended and written
 * back. The counter has no expiry (one small key), so a slot is never reused.
 *
 * A load reads the counter and walks the slots backwards, newest first, {@link REVOKED_READ_CHUNK} keys per `mget`.
 * Slots are taken in time order and batches share one time to live, so the live ones are the newest: the walk stops
 * at a chunk with no live batch in it (all expired, older than `since`, or not written yet), at slot 1, or once it
 * has `limit` ids. A run of a whole chunk of slots taken but never written (writers that died between `incr` and
 * `set`) hides the batches behind it; that takes {@link REVOKED_READ_CHUNK} such deaths in a row.
 */
import type { Logger } from '../contracts/logger.js';
import type { KeyValueDriver, LoadRevokedOptions, RevokedId, SaveRevokedOptions } from '../contracts/result-backend.js';
import { REVOKED_COUNT_KEY, revokedBatchKey } from './keys.js';

/** Slots read per `mget` by {@link loadRevokedIds}. */
export const REVOKED_READ_CHUNK = 200;

/** A stored batch. */
interface Batch {
  at: number;
  ids: string[];
}

/** Append `ids` to the log as one batch; see the module comment. */
export async function saveRevokedIds(driver: KeyValueDriver, ids: readonly string[], options: SaveRevokedOptions): Promise<void> {
  if (ids.length === 0) return;
  const slot = await driver.incr(REVOKED_COUNT_KEY, 1, null);
  const batch: Batch = { at: options.at, ids: [...ids] };
  await driver.set(revokedBatchKey(slot), JSON.stringify(batch), { ttlMs: options.ttlMs, publish: false });
}

/** The batch stored in `text`, or `null` when it is not one (logged). */
function parseBatch(text: string, slot: number, logger: Logger): Batch | null {
  try {
    const value = JSON.parse(text) as Partial<Batch> | null;
    if (
      value !== null &&
      typeof value === 'object' &&
      typeof value.at === 'number' &&
      Number.isFinite(value.at) &&
      Array.isArray(value.ids) &&
      value.ids.every((id) => typeof id === 'string')
    ) {
      return value as Batch;
    }
  } catch {
    // reported below
  }
  logger.warn({ key: revokedBatchKey(slot) }, 'malformed revoked-ids batch ignored');
  return null;
}

/** Read the log; see the module comment. Oldest first, each id once with its latest time. */
export async function loadRevokedIds(driver: KeyValueDriver, options: LoadRevokedOptions, logger: Logger): Promise<RevokedId[]> {
  const count = Number(await driver.get(REVOKED_COUNT_KEY));
  const since = options.since ?? Number.NEGATIVE_INFINITY;
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  /** Each id's latest batch: its time, then its slot and place in it (the order of equal times). */
  const found = new Map<string, { at: number; slot: number; index: number }>();
  if (!Number.isInteger(count) || limit <= 0) return [];
  for (let high = count; high >= 1 && found.size < limit; high -= REVOKED_READ_CHUNK) {
    const slots: number[] = [];
    for (let slot = high; slot > Math.max(0, high - REVOKED_READ_CHUNK); slot -= 1) slots.push(slot);
    const texts = await driver.mget(slots.map(revokedBatchKey));
    let live = 0;
    texts.forEach((text, i) => {
      if (text === null) return;
      const slot = slots[i] as number;
      const batch = parseBatch(text, slot, logger);
      if (batch === null || batch.at < since) return;
      live += 1;
      batch.ids.forEach((id, index) => {
        const seen = found.get(id);
        if (seen !== undefined ? seen.at < batch.at : found.size < limit) found.set(id, { at: batch.at, slot, index });
      });
    });
    if (live === 0) break;
  }
  return [...found]
    .sort(([, a], [, b]) => a.at - b.at || a.slot - b.slot || a.index - b.index)
    .map(([id, { at }]) => ({ id, at }));
}
