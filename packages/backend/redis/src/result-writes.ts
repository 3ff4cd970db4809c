/**
 * The Redis backend's writes of a finished task, as one Lua script: its state document and, for a chord header
 * task, its chord part. Every write of one turn of the event loop goes out as one call (one command, one round
 * trip), each still atomic and in call order; a header task's state is written before its part, as Celery does.
 *
 * - **State** (`s`): Celery GETs the current document and then runs `MULTI; SETEX key <expires> doc; PUBLISH key
 *   doc; EXEC`, which leaves a window in which a late STARTED or RETRY (a redelivered message) replaces a SUCCESS.
 *   The script does the same check and the same writes inside Redis, as one step: what is stored and what
 *   subscribers receive are identical to Python's.
 * - **Chord part** (`p`): Celery's `MULTI; ZADD .j <score> <member>; ZCOUNT .j; GET .t; GET .s; EXPIRE …; EXEC`,
 *   and for the part that completes the chord also `ZRANGE .j 0 -1` and `DEL .j .t .s` (Celery runs those two
 *   after the transaction; here they are in the same step). Keys and values are Celery's, so a Python worker and a
 *   q worker can report parts of one chord.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { TickBatcher } from '@q/redis-client';

/**
 * ARGV[1] = the ops, one letter each (`s` state, `p` chord part); then per op, in order:
 * - `s`: KEYS += result key; ARGV += document, time to live in ms (`''` = keep forever). Reply: 1 stored and
 *   published, 0 a SUCCESS was already there, or the error message of a failed GET (a key holding another type).
 * - `p`: KEYS += `.j`, `.t`, `.s`; ARGV += score, member, the size the message carried (`''`: none), expiry in
 *   seconds (`''`: none). Reply: 0 (not complete) or the `.j` members in score order (complete; keys deleted).
 */
export const RESULT_WRITES_LUA = `
local out = {}
local ops = ARGV[1]
local k, a = 1, 2
for i = 1, #ops do
  local op = string.sub(ops, i, i)
  if op == 's' then
    local key, document, ttl = KEYS[k], ARGV[a], tonumber(ARGV[a + 1])
    k, a = k + 1, a + 2
    local current = redis.pcall('GET', key)
    local stored = 1
    if type(current) == 'table' and current.err then
      stored = current.err
    elseif current then
      if string.sub(current, 1, 21) == '{"status": "SUCCESS",' then
        stored = 0
      else
        local ok, doc = pcall(cjson.decode, current)
        if ok and type(doc) == 'table' and doc['status'] == 'SUCCESS' then stored = 0 end
      end
    end
    if stored == 1 then
      if ttl == nil then
        redis.call('SET', key, document)
      elseif ttl % 1000 == 0 then
        redis.call('SETEX', key, string.format('%d', ttl / 1000), document)
      else
        redis.call('PSETEX', key, string.format('%d', ttl), document)
      end
      redis.call('PUBLISH', key, document)
    end
    out[i] = stored
  else
    local join, extra, size = KEYS[k], KEYS[k + 1], KEYS[k + 2]
    local score, member, carried, ttl = ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3]
    k, a = k + 3, a + 4
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
end
return out
`;

const SHA = createHash('sha1').update(RESULT_WRITES_LUA).digest('hex');

/** `ttlMs` as the script's argument: whole milliseconds, `''` for no expiry. */
export function ttlArgument(ttlMs: number | null): string {
  return ttlMs === null ? '' : String(Math.max(1, Math.round(ttlMs)));
}

/** One state document to store. */
export interface StoreItem {
  readonly op: 's';
  key: string;
  document: string;
  ttlMs: number | null;
  /** Called when a SUCCESS was already stored under `key` (nothing was written). */
  onSkipped?: () => void;
}

/** One chord part to report. */
export interface ChordPartItem {
  readonly op: 'p';
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

type WriteItem = StoreItem | ChordPartItem;

/** Run the script on `items` (EVALSHA, loading it with EVAL on NOSCRIPT): one reply each. */
export async function runResultWrites(client: Redis, items: readonly WriteItem[]): Promise<unknown[]> {
  const keys: string[] = [];
  const args: string[] = [items.map((i) => i.op).join('')];
  for (const item of items) {
    if (item.op === 's') {
      keys.push(item.key);
      args.push(item.document, ttlArgument(item.ttlMs));
    } else {
      keys.push(...item.keys);
      args.push(item.score, item.member, item.carriedSize === null ? '' : String(item.carriedSize), item.expiresSeconds === null ? '' : String(item.expiresSeconds));
    }
  }
  let reply: unknown;
  try {
    reply = await client.evalsha(SHA, keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    reply = await client.eval(RESULT_WRITES_LUA, keys.length, ...keys, ...args);
  }
  return Array.isArray(reply) ? reply : [];
}

/** The outcome of one item from its reply (`undefined`: done; an `Error`: failed). */
function settle(item: WriteItem, reply: unknown): Error | undefined {
  if (item.op === 's') {
    if (reply === 1) return undefined;
    if (reply === 0) {
      item.onSkipped?.();
      return undefined;
    }
    return new Error(typeof reply === 'string' ? reply : `unexpected reply ${String(reply)}`);
  }
  if (reply === 0) item.members = null;
  else if (Array.isArray(reply)) item.members = reply.map(String);
  else return new Error(`unexpected reply to a chord part: ${String(reply)}`);
  return undefined;
}

/**
 * Writes the states and chord parts issued in one turn of the event loop with one script call; each settles when
 * the batch holding it is done: stored, skipped (a SUCCESS was there) or failed (its own error, or the batch's).
 */
export class ResultWriteBatcher {
  readonly #batcher: TickBatcher<WriteItem>;

  constructor(client: Redis, maxBatch = 500) {
    this.#batcher = new TickBatcher<WriteItem>(async (items) => {
      const replies = await runResultWrites(client, items);
      return items.map((item, i) => settle(item, replies[i]));
    }, maxBatch);
  }

  /** Queue one state document. */
  store(item: Omit<StoreItem, 'op'>): Promise<void> {
    return this.#batcher.add({ op: 's', ...item });
  }

  /** Report one chord part; resolves to `null` (the chord is not complete) or every member in order (it is, now). */
  async chordPart(item: Omit<ChordPartItem, 'op' | 'members'>): Promise<string[] | null> {
    const queued: ChordPartItem = { op: 'p', ...item };
    await this.#batcher.add(queued);
    return queued.members ?? null;
  }

  /** Wait for every queued and running batch. */
  drain(): Promise<void> {
    return this.#batcher.drain();
  }
}
