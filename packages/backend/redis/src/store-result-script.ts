/**
 * Storing a task state atomically without ever overwriting a SUCCESS. Celery GETs the current document and then
 * runs `MULTI; SETEX key <expires> doc; PUBLISH key doc; EXEC`, which leaves a window in which a late STARTED or
 * RETRY (a redelivered message) replaces a SUCCESS. This script does the same check and the same writes inside
 * Redis, as one atomic step: what is stored and what subscribers receive are identical to Python's.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * KEYS[1] = result key, ARGV[1] = document, ARGV[2] = time to live in ms (`''` = keep forever).
 * Returns 1 when stored and published, 0 when a SUCCESS was already there.
 */
export const STORE_RESULT_LUA = `
local current = redis.call('GET', KEYS[1])
if current then
  if string.sub(current, 1, 21) == '{"status": "SUCCESS",' then return 0 end
  local ok, doc = pcall(cjson.decode, current)
  if ok and type(doc) == 'table' and doc['status'] == 'SUCCESS' then return 0 end
end
local ttl = tonumber(ARGV[2])
if ttl == nil then
  redis.call('SET', KEYS[1], ARGV[1])
elseif ttl % 1000 == 0 then
  redis.call('SETEX', KEYS[1], string.format('%d', ttl / 1000), ARGV[1])
else
  redis.call('PSETEX', KEYS[1], string.format('%d', ttl), ARGV[1])
end
redis.call('PUBLISH', KEYS[1], ARGV[1])
return 1
`;

const SHA = createHash('sha1').update(STORE_RESULT_LUA).digest('hex');

/** `ttlMs` as the script's argument: whole milliseconds, `''` for no expiry. */
export function ttlArgument(ttlMs: number | null): string {
  return ttlMs === null ? '' : String(Math.max(1, Math.round(ttlMs)));
}

/** Run the script (EVALSHA, loading it with EVAL on NOSCRIPT). True when the document was stored. */
export async function storeUnlessSuccess(client: Redis, key: string, document: string, ttlMs: number | null): Promise<boolean> {
  const ttl = ttlArgument(ttlMs);
  let reply: unknown;
  try {
    reply = await client.evalsha(SHA, 1, key, document, ttl);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    reply = await client.eval(STORE_RESULT_LUA, 1, key, document, ttl);
  }
  return reply === 1;
}
