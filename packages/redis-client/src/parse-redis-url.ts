/**
 * Redis URLs in kombu's forms → ioredis options.
 *
 * - `redis://[user][:password@]host[:port][/db]`
 * - `rediss://…` (TLS, with redis-py's `ssl_ca_certs`, `ssl_ca_path`, `ssl_ca_data`, `ssl_certfile`, `ssl_keyfile`,
 *   `ssl_password`, `ssl_cert_reqs` and `ssl_check_hostname` as query parameters or transport options; other `ssl_*`
 *   parameters are accepted and ignored)
 * - `redis+socket:///path/to/socket?virtual_host=<db>` (also `unix://` and `socket://`)
 * - `sentinel://[:password@]host:port[;sentinel://host2:port…][/db]` with the transport option `master_name`
 */
import type { RedisOptions } from 'ioredis';
import { BOOLEAN_WORDS_HINT, parseBooleanWord } from '@q/core/adapter';
import { invalidRedisUrl as invalid } from './invalid-redis-url.js';
import { maskRedisUrl } from './mask-redis-url.js';
import { redisTlsOptions } from './redis-tls-options.js';

/** How a URL reaches Redis. */
export type RedisUrlKind = 'tcp' | 'tls' | 'socket' | 'sentinel';

/** The result of {@link parseRedisUrl}. */
export interface ParsedRedisUrl {
  /** ioredis options: host/port or path or sentinels, credentials, `db`, `tls`. */
  redis: RedisOptions;
  /** The database number (also in `redis.db`). */
  db: number;
  kind: RedisUrlKind;
  /** Query parameters that are not connection settings (left to the caller as transport options). */
  query: Record<string, string>;
}

const DEFAULT_PORT = 6379;
const DEFAULT_SENTINEL_PORT = 26379;
/** Query parameters consumed here. */
const CONNECTION_PARAMS = new Set(['virtual_host', 'db', 'password', 'username', 'ssl_cert_reqs', 'master_name']);


function parseDb(url: string, raw: string | undefined | null): number {
  if (raw === undefined || raw === null || raw === '') return 0;
  if (!/^\d+$/.test(raw)) throw invalid(url, `database "${raw}" is not a number`);
  return Number(raw);
}

function parsePort(url: string, raw: string, fallback: number): number {
  if (raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw invalid(url, `port "${raw}" is out of range`);
  return port;
}

function splitQuery(search: URLSearchParams): { all: Record<string, string>; rest: Record<string, string> } {
  const all: Record<string, string> = {};
  const rest: Record<string, string> = {};
  for (const [k, v] of search) {
    all[k] = v;
    if (!CONNECTION_PARAMS.has(k) && !k.startsWith('ssl_')) rest[k] = v;
  }
  return { all, rest };
}

function credentials(u: URL, into: RedisOptions): void {
  if (u.username) into.username = decodeURIComponent(u.username);
  if (u.password) into.password = decodeURIComponent(u.password);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** ioredis' `keepAlive` of `socket_keepalive` on: SO_KEEPALIVE with a 1 s initial delay. */
const KEEPALIVE_ON_MS = 1000;

/**
 * Applies kombu's transport options that are connection settings (seconds → ms). The `socket_*` settings are read
 * from the transport options, else from the URL query (`?socket_timeout=5`), as the other transport options are.
 * `socket_keepalive` is an on/off word of core's `parseBooleanWord`: on → keep-alive with a 1 s initial delay, off
 * → no keep-alive (ioredis' own default, when not set, is keep-alive with the system's delay).
 */
function applyOptions(url: string, redis: RedisOptions, options: Record<string, unknown>, query: Record<string, string>): void {
  const setting = (key: string): { value: unknown; from: string } | undefined => {
    const v = options[key];
    if (v !== undefined && v !== null && v !== '') return { value: v, from: 'transport option' };
    const q = query[key];
    return q === undefined || q === '' ? undefined : { value: q, from: 'query parameter' };
  };
  const seconds = (key: string): number | undefined => {
    const given = setting(key);
    if (given === undefined) return undefined;
    const value = num(given.value);
    if (value === undefined || value < 0) throw invalid(url, `${given.from} ${key}=${JSON.stringify(given.value)} is not a number of seconds`);
    return value;
  };
  const connectTimeout = seconds('socket_connect_timeout');
  if (connectTimeout !== undefined) redis.connectTimeout = Math.round(connectTimeout * 1000);
  const commandTimeout = seconds('socket_timeout');
  if (commandTimeout !== undefined) redis.commandTimeout = Math.round(commandTimeout * 1000);
  const keepAlive = setting('socket_keepalive');
  if (keepAlive !== undefined) {
    const on = parseBooleanWord(keepAlive.value);
    if (on === undefined) throw invalid(url, `${keepAlive.from} socket_keepalive=${JSON.stringify(keepAlive.value)} is not one of ${BOOLEAN_WORDS_HINT}`);
    // ioredis turns keep-alive on for any number (its default is 0); a non-number leaves the socket's default, off.
    redis.keepAlive = on ? KEEPALIVE_ON_MS : (false as unknown as number);
  }
  const username = str(options['username']);
  if (username !== undefined) redis.username = username;
  const password = str(options['password']);
  if (password !== undefined) redis.password = password;
  const extra = options['redisOptions'];
  if (typeof extra === 'object' && extra !== null) Object.assign(redis, extra);
}

function parseSentinel(url: string, options: Record<string, unknown>): ParsedRedisUrl {
  const parts = url.split(';').map((p) => p.trim()).filter((p) => p !== '');
  const redis: RedisOptions = { sentinels: [] };
  let db = 0;
  let query: Record<string, string> = {};
  let masterName = str(options['master_name']) ?? str(options['masterName']);
  for (const part of parts) {
    let u: URL;
    try {
      u = new URL(part);
    } catch (err) {
      throw invalid(url, `"${maskRedisUrl(part)}" is not a URL`, err);
    }
    if (u.protocol !== 'sentinel:') throw invalid(url, `every part must use sentinel:// (got ${u.protocol}//)`);
    if (!u.hostname) throw invalid(url, 'a sentinel has no host');
    redis.sentinels?.push({ host: u.hostname.replace(/^\[|\]$/g, ''), port: parsePort(url, u.port, DEFAULT_SENTINEL_PORT) });
    credentials(u, redis);
    const path = u.pathname.replace(/^\//, '');
    if (path !== '') db = parseDb(url, path);
    const q = splitQuery(u.searchParams);
    if (q.all['virtual_host'] !== undefined) db = parseDb(url, q.all['virtual_host']);
    if (q.all['master_name'] !== undefined) masterName ??= q.all['master_name'];
    query = { ...query, ...q.rest };
  }
  if (!masterName) throw invalid(url, 'sentinel:// needs the transport option master_name');
  redis.name = masterName;
  redis.db = db;
  const sentinelKwargs = options['sentinel_kwargs'];
  if (typeof sentinelKwargs === 'object' && sentinelKwargs !== null) {
    const pw = str((sentinelKwargs as Record<string, unknown>)['password']);
    if (pw !== undefined) redis.sentinelPassword = pw;
  }
  applyOptions(url, redis, options, query);
  return { redis, db, kind: 'sentinel', query };
}

/**
 * Parses a Redis broker/backend URL into ioredis options. `options` are kombu-style transport options
 * (`master_name`, `socket_connect_timeout`, `socket_timeout`, `socket_keepalive`, `sentinel_kwargs`,
 * `username`, `password`, and `redisOptions` passed straight to ioredis); the `socket_*` ones may also come from the
 * URL query (an option wins). For `rediss://`, redis-py's `ssl_*` settings (see `redisTlsOptions`) come from the URL
 * query, else from `options`; the certificate files are read here.
 * @throws ConfigError `Q_ERR_URL_INVALID` for a malformed URL, an unknown scheme, a bad port or db, an `ssl_*`
 *   file or directory that cannot be read (or an `ssl_ca_path` without certificates), an `ssl_password` that does
 *   not decrypt the `ssl_keyfile`, or an unknown
 *   `ssl_cert_reqs` / `ssl_check_hostname` / `socket_keepalive` value.
 */
export function parseRedisUrl(url: string, options: Record<string, unknown> = {}): ParsedRedisUrl {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) throw invalid(url, 'expected scheme://…');
  if (scheme === 'sentinel') return parseSentinel(url, options);
  let u: URL;
  try {
    u = new URL(url);
  } catch (err) {
    throw invalid(url, 'not a valid URL', err);
  }
  const q = splitQuery(u.searchParams);
  const redis: RedisOptions = {};
  let kind: RedisUrlKind;
  let db: number;
  if (scheme === 'redis+socket' || scheme === 'unix' || scheme === 'socket') {
    const path = decodeURIComponent(u.pathname);
    if (path === '' || path === '/') throw invalid(url, 'no socket path');
    redis.path = path;
    kind = 'socket';
    db = parseDb(url, q.all['virtual_host'] ?? q.all['db']);
  } else if (scheme === 'redis' || scheme === 'rediss') {
    redis.host = u.hostname === '' ? '127.0.0.1' : u.hostname.replace(/^\[|\]$/g, '');
    redis.port = parsePort(url, u.port, DEFAULT_PORT);
    kind = scheme === 'rediss' ? 'tls' : 'tcp';
    const path = u.pathname.replace(/^\//, '').replace(/\/$/, '');
    db = parseDb(url, q.all['virtual_host'] ?? (path === '' ? undefined : path));
    if (kind === 'tls') redis.tls = redisTlsOptions(url, q.all, options);
  } else {
    throw invalid(url, `unknown scheme "${scheme}" (expected redis, rediss, redis+socket or sentinel)`);
  }
  credentials(u, redis);
  if (q.all['password'] !== undefined) redis.password = q.all['password'];
  if (q.all['username'] !== undefined) redis.username = q.all['username'];
  redis.db = db;
  applyOptions(url, redis, options, q.rest);
  return { redis, db, kind, query: q.rest };
}
