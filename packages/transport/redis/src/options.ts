/**
 * Options of the Redis queue driver: typed camelCase options first, kombu's transport option names
 * (`visibility_timeout`, `global_keyprefix`, …, in seconds where kombu uses seconds) second, defaults last.
 */
import type { Logger } from '@q/core';
import { ConfigError, silentLogger } from '@q/core';
import { BOOLEAN_WORDS_HINT, parseBooleanWord } from '@q/core/adapter';
import { maskRedisUrl, parseRedisUrl, type ParsedRedisUrl } from '@q/redis-client';
import { DEFAULT_SEP, resolveFanoutPrefix, type KeyNaming } from './keys.js';

/** Options of `redisQueueDriver()` and `redisTransport()`. */
export interface RedisQueueDriverOptions {
  /** Broker URL (default `redis://127.0.0.1:6379/0`). See the README for the forms. */
  url?: string;
  /** kombu transport options by their kombu names (`visibility_timeout`, `global_keyprefix`, `master_name`, …). */
  transportOptions?: Record<string, unknown>;
  /** How long a reserved, unacknowledged message stays invisible (kombu `visibility_timeout`, default 3600 s). */
  visibilityTimeoutMs?: number;
  /** kombu `global_keyprefix` (default empty). */
  globalKeyprefix?: string;
  /** How often the visibility sweep runs while consuming (default: visibility timeout / 4, at most 100 s). */
  sweepIntervalMs?: number;
  /**
   * How an idle `reserve` waits (see the README): `peek` (default; Redis ≥ 6.2, older servers use `brpop`)
   * blocks with `BLMOVE Q Q RIGHT RIGHT`, which takes nothing, then pops and records atomically in Lua, so no
   * message can be lost between pop and bookkeeping; lists other than the first (priority sub-lists, other
   * queues) are checked every `peekIntervalMs`. `brpop` is kombu's BRPOP on every list (wakes on any list; a
   * message popped while the connection drops or the process dies is lost, as with kombu).
   */
  blockingMode?: 'peek' | 'brpop';
  /** In `peek` mode, the longest wait before the other lists are checked (default 1000 ms). */
  peekIntervalMs?: number;
  /** How long `close()` waits for Redis before dropping its connections (default 5000 ms). */
  closeTimeoutMs?: number;
  /** Base of the CLIENT SETNAME of every connection (default `q:<pid>`). */
  clientName?: string;
  logger?: Logger;
}

/** Everything resolved. */
export interface ResolvedRedisOptions {
  url: string;
  parsed: ParsedRedisUrl;
  naming: KeyNaming;
  visibilityTimeoutMs: number;
  sweepIntervalMs: number;
  unackedKey: string;
  unackedIndexKey: string;
  unackedMutexKey: string;
  unackedMutexExpireMs: number;
  /** `0` = no limit. */
  unackedRestoreLimit: number;
  ackEmulation: boolean;
  blockingMode: 'peek' | 'brpop';
  peekIntervalMs: number;
  closeTimeoutMs: number;
  clientName: string;
  transportOptions: Record<string, unknown>;
  logger: Logger;
}

/** Default broker URL, Celery's. */
export const DEFAULT_URL = 'redis://127.0.0.1:6379/0';
/** kombu's default visibility timeout: one hour. */
export const DEFAULT_VISIBILITY_TIMEOUT_MS = 3_600_000;
/** kombu checks for expired leases about every 100 s. */
const MAX_SWEEP_INTERVAL_MS = 100_000;

/**
 * A duration in seconds (`visibility_timeout`, `unacked_mutex_expire`), in ms: `undefined` when absent or empty, else
 * a non-negative number (a numeric string included). Another value is a ConfigError naming the option and the value:
 * `Q_ERR_CONFIG_INVALID` when it came from the transport options, `Q_ERR_URL_INVALID` when it came from the URL query.
 */
function seconds(url: string, given: Record<string, unknown>, opts: Record<string, unknown>, name: string): number | undefined {
  const v = opts[name];
  if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) return undefined;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n === 'number' && Number.isFinite(n) && n >= 0) return n * 1000;
  if (Object.hasOwn(given, name)) {
    throw new ConfigError('Q_ERR_CONFIG_INVALID', `transport option ${name} must be a non-negative number of seconds (got ${JSON.stringify(v)})`);
  }
  throw new ConfigError('Q_ERR_URL_INVALID', `Redis URL "${maskRedisUrl(url)}" is invalid: query parameter ${name}=${JSON.stringify(v)} is not a non-negative number of seconds`);
}

function text(opts: Record<string, unknown>, name: string): string | undefined {
  const v = opts[name];
  return typeof v === 'string' ? v : undefined;
}

/**
 * An on/off kombu option (`ack_emulation`, `fanout_patterns`): `fallback` when absent or empty, else one of core's
 * boolean words. Another value is a ConfigError naming the option and the value: `Q_ERR_CONFIG_INVALID` when it
 * came from the transport options, `Q_ERR_URL_INVALID` when it came from the URL query.
 */
function onOff(url: string, given: Record<string, unknown>, opts: Record<string, unknown>, name: string, fallback: boolean): boolean {
  const v = opts[name];
  if (v === undefined || v === null || v === '') return fallback;
  const on = parseBooleanWord(v);
  if (on !== undefined) return on;
  if (Object.hasOwn(given, name)) {
    throw new ConfigError('Q_ERR_CONFIG_INVALID', `transport option ${name} must be one of ${BOOLEAN_WORDS_HINT} (got ${JSON.stringify(v)})`);
  }
  throw new ConfigError('Q_ERR_URL_INVALID', `Redis URL "${maskRedisUrl(url)}" is invalid: query parameter ${name}=${JSON.stringify(v)} is not one of ${BOOLEAN_WORDS_HINT}`);
}

/**
 * Resolves options (URL query parameters count as transport options, like kombu's; a transport option wins).
 * @throws ConfigError `Q_ERR_URL_INVALID` for a bad URL or query parameter, `Q_ERR_CONFIG_INVALID` for a bad
 *   transport option (an on/off option that is not one of core's boolean words, or a duration that is not a
 *   non-negative number of seconds, included).
 */
export function resolveRedisOptions(options: RedisQueueDriverOptions | string = {}): ResolvedRedisOptions {
  const o: RedisQueueDriverOptions = typeof options === 'string' ? { url: options } : options;
  const url = o.url ?? DEFAULT_URL;
  const given = o.transportOptions ?? {};
  const parsed = parseRedisUrl(url, given);
  const t: Record<string, unknown> = { ...parsed.query, ...given };
  const visibilityTimeoutMs = o.visibilityTimeoutMs ?? seconds(url, given, t, 'visibility_timeout') ?? DEFAULT_VISIBILITY_TIMEOUT_MS;
  const sweepIntervalMs = o.sweepIntervalMs ?? Math.min(MAX_SWEEP_INTERVAL_MS, Math.max(20, Math.floor(visibilityTimeoutMs / 4)));
  const limit = t['unacked_restore_limit'];
  return {
    url,
    parsed,
    naming: {
      prefix: o.globalKeyprefix ?? text(t, 'global_keyprefix') ?? '',
      sep: text(t, 'sep') ?? DEFAULT_SEP,
      fanoutPrefix: resolveFanoutPrefix(t['fanout_prefix'], parsed.db),
      fanoutPatterns: onOff(url, given, t, 'fanout_patterns', true),
    },
    visibilityTimeoutMs,
    sweepIntervalMs,
    unackedKey: text(t, 'unacked_key') ?? 'unacked',
    unackedIndexKey: text(t, 'unacked_index_key') ?? 'unacked_index',
    unackedMutexKey: text(t, 'unacked_mutex_key') ?? 'unacked_mutex',
    unackedMutexExpireMs: seconds(url, given, t, 'unacked_mutex_expire') ?? 300_000,
    unackedRestoreLimit: typeof limit === 'number' || typeof limit === 'string' ? Math.max(0, Math.trunc(Number(limit)) || 0) : 0,
    ackEmulation: onOff(url, given, t, 'ack_emulation', true),
    blockingMode: o.blockingMode ?? (text(t, 'blocking_mode') === 'brpop' ? 'brpop' : 'peek'),
    peekIntervalMs: Math.max(10, o.peekIntervalMs ?? 1000),
    closeTimeoutMs: Math.max(0, o.closeTimeoutMs ?? 5000),
    clientName: o.clientName ?? text(t, 'client_name') ?? `q:${process.pid}`,
    transportOptions: t,
    logger: o.logger ?? silentLogger,
  };
}
