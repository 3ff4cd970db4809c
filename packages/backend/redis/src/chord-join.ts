/**
 * Native chords on Redis, as Celery's `RedisBackend.on_chord_part_return` (ordered, the zset form):
 *
 * 1. each finished header task runs `MULTI; ZADD .j <group_index> [1, id, state, result]; ZCOUNT .j -inf +inf;
 *    GET .t; GET .s; EXPIRE .j/.t/.s <expires>; EXEC`;
 * 2. the one that sees `.s` set and `zcount == .s + .t` completes the chord: `ZRANGE .j 0 -1` gives the header
 *    results in group order; then `DEL .j .t .s`.
 *
 * The client writes `.s` (`setChordSize`: `SETEX .s <expires> <n>` + PUBLISH) before it publishes the last header
 * task. When `.s` is missing, the size the message carried (`ChordPart.chordSize`) is used instead.
 */
import { decodeResultDocument } from '@q/core/adapter';
import type { TaskMeta } from '@q/core';
import type { ChordPart, ChordProgress, StoreOptions } from '@q/core/adapter';
import type { Redis } from 'ioredis';
import { chordIsComplete, chordOutcome, chordScore, decodeChordMember, encodeChordMember, parseCount, type ChordMember } from './chord-members.js';
import { chordKeys, taskKey } from './keys.js';
import { execTransaction, redisCall } from './redis-errors.js';
import { addSet } from './redis-key-value-driver.js';

/** Record one finished header task; `complete` (with every header result in order) for the last one. */
export async function chordPartReturn(client: Redis, part: ChordPart, expiresSeconds: number | null): Promise<ChordProgress> {
  const keys = chordKeys(part.groupId);
  const tx = client
    .multi()
    .zadd(keys.join, chordScore(part.groupIndex), encodeChordMember(part))
    .zcount(keys.join, '-inf', '+inf')
    .get(keys.extra)
    .get(keys.size);
  if (expiresSeconds !== null) tx.expire(keys.join, expiresSeconds).expire(keys.extra, expiresSeconds).expire(keys.size, expiresSeconds);
  const [, count, extra, size] = await execTransaction('chord part (ZADD .j)', tx);
  const knownSize = parseCount(size) ?? part.chordSize ?? null;
  if (!chordIsComplete(Number(count), knownSize, parseCount(extra))) return { complete: false };

  const raw = await redisCall('ZRANGE .j', () => client.zrange(keys.join, 0, -1));
  try {
    const { results, failed } = chordOutcome(raw.map(decodeChordMember));
    return { complete: true, results, failed: failed === null ? null : await failedMeta(client, failed, part) };
  } finally {
    await redisCall('DEL .j .t .s', () => client.del(keys.join, keys.extra, keys.size));
  }
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
