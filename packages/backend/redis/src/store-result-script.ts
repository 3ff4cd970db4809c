/**
 * Storing task states atomically without ever overwriting a SUCCESS. Celery GETs the current document and then
 * runs `MULTI; SETEX key <expires> doc; PUBLISH key doc; EXEC`, which leaves a window in which a late STARTED or
 * RETRY (a redelivered message) replaces a SUCCESS. This script does the same check and the same writes inside
 * Redis, as one atomic step: what is stored and what subscribers receive are identical to Python's.
 *
 * One call stores many documents (every `storeResult` of one turn of the event loop, see
 * {@link ResultStoreBatcher}): one command and one round trip for all of them, each key still checked and
 * written atomically, in call order.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { TickBatcher } from '@q/redis-client';

/**
 * KEYS[i] = result key, ARGV[2i-1] = document, ARGV[2i] = time to live in ms (`''` = keep forever).
 * Returns one entry per key: 1 when stored and published, 0 when a SUCCESS was already there, or the error
 * message of a failed GET (a key holding another type); the other keys are stored regardless.
 */
export const STORE_RESULT_LUA = `
local out = {}
for i = 1, #KEYS do
  local key, document, ttl = KEYS[i], ARGV[2 * i - 1], tonumber(ARGV[2 * i])
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
end
return out
`;

const SHA = createHash('sha1').update(STORE_RESULT_LUA).digest('hex');

/** `ttlMs` as the script's argument: whole milliseconds, `''` for no expiry. */
export function ttlArgument(ttlMs: number | null): string {
  return ttlMs === null ? '' : String(Math.max(1, Math.round(ttlMs)));
}

/** One document to store. */
export interface StoreItem {
  key: string;
  document: string;
  ttlMs: number | null;
  /** Called when a SUCCESS was already stored under `key` (nothing was written). */
  onSkipped?: () => void;
}

/** Run the script on `items` (EVALSHA, loading it with EVAL on NOSCRIPT): 1, 0 or an error message each. */
export async function storeManyUnlessSuccess(client: Redis, items: readonly StoreItem[]): Promise<unknown[]> {
  const args: string[] = items.map((i) => i.key);
  for (const item of items) args.push(item.document, ttlArgument(item.ttlMs));
  let reply: unknown;
  try {
    reply = await client.evalsha(SHA, items.length, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    reply = await client.eval(STORE_RESULT_LUA, items.length, ...args);
  }
  return Array.isArray(reply) ? reply : [];
}

/**
 * Stores documents issued in one turn of the event loop with one script call; each `store` settles when the
 * batch holding it is done: stored, skipped (a SUCCESS was there) or failed (its own error, or the batch's).
 */
export class ResultStoreBatcher {
  readonly #batcher: TickBatcher<StoreItem>;

  constructor(client: Redis, maxBatch = 500) {
    this.#batcher = new TickBatcher<StoreItem>(async (items) => {
      const replies = await storeManyUnlessSuccess(client, items);
      return items.map((item, i) => {
        const reply = replies[i];
        if (reply === 1) return undefined;
        if (reply === 0) {
          item.onSkipped?.();
          return undefined;
        }
        return new Error(typeof reply === 'string' ? reply : `unexpected reply ${String(reply)}`);
      });
    }, maxBatch);
  }

  /** Queue one document. */
  store(item: StoreItem): Promise<void> {
    return this.#batcher.add(item);
  }

  /** Wait for every queued and running batch. */
  drain(): Promise<void> {
    return this.#batcher.drain();
  }
}
