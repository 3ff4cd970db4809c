/**
 * The Lua scripts of the driver. Each runs as ONE command, so it is atomic, and ioredis re-sends it after a
 * reconnect (pipelines and MULTI blocks are aborted instead). `evalScript` uses EVALSHA and falls back to EVAL
 * when the server lost its script cache (a restart).
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** A script with its SHA1. */
export interface LuaScript {
  readonly source: string;
  readonly sha: string;
}

function script(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/** JSON string literal as Python's `json.dumps` writes ASCII text (non-ASCII bytes are kept as UTF-8). */
const JSON_STRING = `
local function jstr(s)
  s = string.gsub(s, '[%z\\1-\\31"\\\\]', function(c)
    if c == '"' then return '\\\\"' elseif c == '\\\\' then return '\\\\\\\\'
    elseif c == '\\n' then return '\\\\n' elseif c == '\\r' then return '\\\\r' elseif c == '\\t' then return '\\\\t'
    elseif c == '\\b' then return '\\\\b' elseif c == '\\f' then return '\\\\f'
    else return string.format('\\\\u%04x', string.byte(c)) end
  end)
  return '"' .. s .. '"'
end
`;

/**
 * Pop up to `max` messages (RPOP, list by list in the order of KEYS[4..]) and, for each, write kombu's ack
 * bookkeeping in the same atomic step: `ZADD unacked_index <now> <tag>` and
 * `HSET unacked <tag> '[<envelope>, "<exchange>", "<routing key>"]'`.
 *
 * A message already popped by BRPOP (ARGV[5], from list ARGV[6]) is recorded first. The reply is memoised
 * under KEYS[3] for a few seconds: if the connection drops before the reply arrives, ioredis re-sends the
 * same command (same KEYS[3]) and gets the same messages back instead of popping more.
 *
 * The tag is read with a plain scan for the one `"delivery_tag": "…"` (and `"delivery_info": {"exchange": "…",
 * "routing_key": "…"`) kombu and q write, without decoding the envelope; only when that key is missing, appears
 * twice (a header of that name) or holds an escaped string is the envelope decoded with cjson. A message without a
 * tag, or with an empty one, is handed out unrecorded (tag '').
 *
 * KEYS: unacked, unacked_index, memo, list…
 * ARGV: max, now (epoch seconds; '' = the server's clock, for a pop sent ahead of time), ack emulation (1/0),
 * memo ttl ms, popped, popped list
 * Returns a flat array: list index (1-based), payload, tag, …
 */
export const RESERVE = script(`${JSON_STRING}
local memo = redis.call('GET', KEYS[3])
if memo then
  local out = {}
  local m = cjson.decode(memo)
  for i = 1, #m, 3 do
    local value = redis.call('HGET', KEYS[1], m[i + 2])
    if value then
      out[#out + 1] = m[i]; out[#out + 1] = string.sub(value, 2, m[i + 1] + 1); out[#out + 1] = m[i + 2]
    end
  end
  return out
end
local max = tonumber(ARGV[1])
local emulate = ARGV[3] == '1'
local now = ARGV[2]
if now == '' then
  if redis.replicate_commands then redis.replicate_commands() end
  local t = redis.call('TIME')
  now = string.format('%d.%06d', tonumber(t[1]), tonumber(t[2]))
end
local out = {}
local memo_out = {}
local function once(payload, key)
  local at = string.find(payload, key, 1, true)
  if at and not string.find(payload, key, at + 1, true) then return at end
  return nil
end
local function scan(payload)
  local at = once(payload, '"delivery_tag":')
  if not at then return nil end
  local tag = string.match(payload, '^"delivery_tag": "([^"\\\\]*)"', at)
  if not tag then return nil end
  if not emulate then return tag, '', '' end
  at = once(payload, '"delivery_info":')
  if not at then return nil end
  local ex, rk = string.match(payload, '^"delivery_info": {"exchange": "([^"\\\\]*)", "routing_key": "([^"\\\\]*)"', at)
  if not ex then return nil end
  return tag, ex, rk
end
local function decode(payload)
  local ok, doc = pcall(cjson.decode, payload)
  if not (ok and type(doc) == 'table' and type(doc.properties) == 'table' and type(doc.properties.delivery_tag) == 'string') then return nil end
  local info = doc.properties.delivery_info
  local ex, rk = '', ''
  if type(info) == 'table' then
    if type(info.exchange) == 'string' then ex = info.exchange end
    if type(info.routing_key) == 'string' then rk = info.routing_key end
  end
  return doc.properties.delivery_tag, ex, rk
end
local function take(index, payload)
  local tag, ex, rk = scan(payload)
  if not tag then tag, ex, rk = decode(payload) end
  -- An empty tag is no tag: the driver never acks '' (it would stay in unacked, restored again and again).
  if tag and tag ~= '' then
    if emulate then
      redis.call('ZADD', KEYS[2], now, tag)
      redis.call('HSET', KEYS[1], tag, '[' .. payload .. ', ' .. jstr(ex) .. ', ' .. jstr(rk) .. ']')
      memo_out[#memo_out + 1] = index; memo_out[#memo_out + 1] = #payload; memo_out[#memo_out + 1] = tag
    end
  else
    tag = ''
  end
  out[#out + 1] = index; out[#out + 1] = payload; out[#out + 1] = tag
end
if ARGV[5] ~= '' then take(tonumber(ARGV[6]), ARGV[5]) end
for i = 4, #KEYS do
  while #out < max * 3 do
    local payload = redis.call('RPOP', KEYS[i])
    if not payload then break end
    take(i - 3, payload)
  end
  if #out >= max * 3 then break end
end
if #memo_out > 0 then redis.call('SET', KEYS[3], cjson.encode(memo_out), 'PX', ARGV[4]) end
return out
`);

/**
 * Restore one unacked message (kombu's `restore_by_tag`, with WATCH/MULTI's effect): only if `unacked[tag]` still
 * holds the value read (and, for the sweep, its score is still at most ARGV[4]), drop the bookkeeping and RPUSH
 * the redelivered envelope to every target list.
 *
 * KEYS: unacked, unacked_index, target list…   ARGV: tag, expected value, new envelope, max score ('' = any)
 */
export const RESTORE = script(`
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current or current ~= ARGV[2] then return 0 end
if ARGV[4] ~= '' then
  local score = redis.call('ZSCORE', KEYS[2], ARGV[1])
  if score and tonumber(score) > tonumber(ARGV[4]) then return 0 end
end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[1], ARGV[1])
for i = 3, #KEYS do redis.call('RPUSH', KEYS[i], ARGV[3]) end
return 1
`);

/** Ack many tags at once. KEYS: unacked, unacked_index   ARGV: tag… */
export const ACK = script(`
redis.call('ZREM', KEYS[2], unpack(ARGV))
redis.call('HDEL', KEYS[1], unpack(ARGV))
return #ARGV
`);

/** Release a mutex only if we still own it. KEYS: mutex   ARGV: token */
export const RELEASE_MUTEX = script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

/** Runs a script: EVALSHA, or EVAL when the server does not know it (NOSCRIPT). */
export async function evalScript(client: Redis, s: LuaScript, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
  try {
    return await client.evalsha(s.sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('NOSCRIPT')) return client.eval(s.source, keys.length, ...keys, ...args);
    throw error;
  }
}
