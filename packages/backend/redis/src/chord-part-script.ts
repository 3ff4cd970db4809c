/**
 * Chord parts, as one Lua script: Celery's `MULTI; ZADD .j …; ZCOUNT .j; GET .t; GET .s; EXPIRE …; EXEC` for each
 * finished header task, and for the one that completes its chord also `ZRANGE .j 0 -1` and `DEL .j .t .s`, in the
 * same atomic step (Celery runs those two after the transaction). The keys written and their values are Celery's,
 * so a Python worker and a q worker can report parts of one chord.
 *
 * One call reports every part of one turn of the event loop (see {@link ChordPartBatcher}): one command and one
 * round trip for all of them, each part still atomic, in call order. A chord of thousands of header tasks costs its
 * workers a round trip per batch, not per task.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { TickBatcher } from '@q/redis-client';

/**
 * Per part i: KEYS[3i-2..3i] = `.j`, `.t`, `.s`; ARGV[4i-3..4i] = score, member, the size the message carried
 * (`''`: none), expiry in seconds (`''`: none). Returns per part 0 (not complete) or the `.j` members in score
 * order (complete; the chord keys are deleted).
 */
export const CHORD_PART_LUA = `
local out = {}
local n = #KEYS / 3
for i = 1, n do
  local join, extra, size = KEYS[3 * i - 2], KEYS[3 * i - 1], KEYS[3 * i]
  local score, member, carried, ttl = ARGV[4 * i - 3], ARGV[4 * i - 2], ARGV[4 * i - 1], ARGV[4 * i]
  redis.call('ZADD', join, score, member)
  local count = redis.call('ZCOUNT', join, '-inf', '+inf')
  local t = tonumber(redis.call('GET', extra) or '0') or 0
  local s = tonumber(redis.call('GET', size) or carried)
  if s ~= nil and count == s + t then
    out[i] = redis.call('ZRANGE', join, 0, -1)
    redis.call('DEL', join, extra, size)
  else
    if ttl ~= '' then
      redis.call('EXPIRE', join, ttl)
      redis.call('EXPIRE', extra, ttl)
      redis.call('EXPIRE', size, ttl)
    end
    out[i] = 0
  end
end
return out
`;

const SHA = createHash('sha1').update(CHORD_PART_LUA).digest('hex');

/** One part to report. */
export interface ChordPartItem {
  /** `.j`, `.t`, `.s` of the chord. */
  readonly keys: readonly [string, string, string];
  readonly score: string;
  readonly member: string;
  /** The chord size the message carried (used when `.s` is missing). */
  readonly carriedSize: number | null;
  readonly expiresSeconds: number | null;
  /** Set by the batch: `null` (not complete) or the `.j` members in order. */
  members?: string[] | null;
}

async function runScript(client: Redis, items: readonly ChordPartItem[]): Promise<unknown[]> {
  const keys: string[] = [];
  const args: string[] = [];
  for (const item of items) {
    keys.push(...item.keys);
    args.push(item.score, item.member, item.carriedSize === null ? '' : String(item.carriedSize), item.expiresSeconds === null ? '' : String(item.expiresSeconds));
  }
  let reply: unknown;
  try {
    reply = await client.evalsha(SHA, keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    reply = await client.eval(CHORD_PART_LUA, keys.length, ...keys, ...args);
  }
  return Array.isArray(reply) ? reply : [];
}

/** Reports the chord parts of one turn of the event loop with one script call. */
export class ChordPartBatcher {
  readonly #batcher: TickBatcher<ChordPartItem>;

  constructor(client: Redis, maxBatch = 500) {
    this.#batcher = new TickBatcher<ChordPartItem>(async (items) => {
      const replies = await runScript(client, items);
      return items.map((item, i) => {
        const reply = replies[i];
        if (reply === 0) item.members = null;
        else if (Array.isArray(reply)) item.members = reply.map(String);
        else return new Error(`unexpected reply to the chord part script: ${String(reply)}`);
        return undefined;
      });
    }, maxBatch);
  }

  /** Report one part; resolves to `null` (the chord is not complete) or every member in order (it is, now). */
  async report(item: ChordPartItem): Promise<string[] | null> {
    await this.#batcher.add(item);
    return item.members ?? null;
  }

  /** Wait for every queued and running batch. */
  drain(): Promise<void> {
    return this.#batcher.drain();
  }
}
