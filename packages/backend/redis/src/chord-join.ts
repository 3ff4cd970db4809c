/**
 * Native chords on Redis, as Celery's `RedisBackend.on_chord_part_return` (ordered, the zset form):
 *
 * 1. each finished header task does `ZADD .j <group_index> [1, id, state, result]; ZCOUNT .j -inf +inf;
 *    GET .t; GET .s; EXPIRE .j/.t/.s <expires>` (Celery: in one MULTI; q: in one Lua script, `result-writes.ts`);
 * 2. the one that sees `.s` set and `zcount == .s + .t` completes the chord: `ZRANGE .j 0 -1` gives the header
 *    results in group order; then `DEL .j .t .s` (q: in the same script, so the completion is atomic too).
 *
 * The client writes `.s` (`setChordSize`: `SETEX .s <expires> <n>` + PUBLISH) before it publishes the last header
 * task. When `.s` is missing, the size the message carried (`ChordPart.chordSize`) is used instead.
 */
import { decodeResultDocument } from '@q/core/adapter';
import type { TaskMeta } from '@q/core';
import type { ChordPart, ChordProgress, StoreOptions } from '@q/core/adapter';
import type { Redis } from 'ioredis';
import { chordOutcome, chordScore, decodeChordMember, encodeChordMember, type ChordMember } from './chord-members.js';
import type { ResultWriteBatcher } from './result-writes.js';
import { chordKeys, taskKey } from './keys.js';
import { execTransaction, redisCall } from './redis-errors.js';
import { addSet } from './redis-key-value-driver.js';

/**
 * Record one finished header task; `complete` (with every header result in order) for the last one. The part goes
 * out with the other parts of the same event-loop turn, in one script call (`result-writes.ts`).
 */
export async function chordPartReturn(client: Redis, writes: ResultWriteBatcher, part: ChordPart, expiresSeconds: number | null): Promise<ChordProgress> {
  const keys = chordKeys(part.groupId);
  const members = await redisCall('chord part (ZADD .j)', () =>
    writes.chordPart({
      keys: [keys.join, keys.extra, keys.size],
      score: chordScore(part.groupIndex),
      member: encodeChordMember(part),
      carriedSize: part.chordSize ?? null,
      expiresSeconds,
    }),
  );
  if (members === null) return { complete: false };
  const { results, failed } = chordOutcome(members.map(decodeChordMember));
  return { complete: true, results, failed: failed === null ? null : await failedMeta(client, failed, part) };
}

/** The stored meta of the failed header task (for its traceback), else one made from its `.j` member. */
async function failedMeta(client: Redis, member: ChordMember, part: ChordPart): Promise<{ taskId: string; meta: TaskMeta }> {
  if (member.taskId === part.taskId) return { taskId: member.taskId, meta: part.meta };
  const stored = await redisCall('GET', () => client.get(taskKey(member.taskId)));
  if (stored !== null) {
    try {
      const meta = decodeResultDocument(stored, member.taskId);
      if (meta.status === member.state) return { taskId: member.taskId, meta };
    } catch {
      // fall through to the member itself
    }
  }
  const meta: TaskMeta = { taskId: member.taskId, status: member.state, result: member.result, traceback: null, children: [], dateDone: null };
  return { taskId: member.taskId, meta };
}

/** Write the chord size `.s` (`SETEX .s <expires> <size>` + PUBLISH, like every Celery `set`). */
export async function setChordSize(client: Redis, groupId: string, size: number, options: StoreOptions): Promise<void> {
  const { size: key } = chordKeys(groupId);
  const value = String(size);
  const tx = client.multi();
  addSet(tx, key, value, options.expiresMs);
  tx.publish(key, value);
  await execTransaction('SETEX .s', tx);
}
