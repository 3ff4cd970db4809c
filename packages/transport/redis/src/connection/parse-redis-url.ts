/**
 * Redis URLs in kombu's forms → ioredis options.
 *
 * - `redis://[user][:password@]host[:port][/db]`
 * - `rediss://…` (TLS, with redis-py's `ssl_ca_certs`, `ssl_certfile`, `ssl_keyfile`, `ssl_cert_reqs` and
 *   `ssl_check_hostname` as query parameters or transport options; other `ssl_*` parameters are accepted and ignored)
 * - `redis+socket:///path/to/socket?virtual_host=<db>` (also `unix://` and `socket://`)
 * - `sentinel://[:password@]host:port[;sentinel://host2:port…][/db]` with the transport option `master_name`
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { RedisOptions } from 'ioredis';
import { BOOLEAN_WORDS_HINT, ConfigError, parseBooleanWord } from '@q/core';
import { maskRedisUrl } from './mask-redis-url.js';

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

function invalid(url: string, why: string, cause?: unknown): ConfigError {
  return new ConfigError('Q_ERR_URL_INVALID', `Redis URL "${maskRedisUrl(url)}" is invalid: ${why}`, cause === undefined ? {} : { cause });
}

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

/** Applies kombu's transport options that are connection settings (seconds → ms). */
function applyOptions(redis: RedisOptions, options: Record<string, unknown>): void {
  const connectTimeout = num(options['socket_connect_timeout']);
  if (connectTimeout !== undefined) redis.connectTimeout = Math.round(connectTimeout * 1000);
  const commandTimeout = num(options['socket_timeout']);
  if (commandTimeout !== undefined) redis.commandTimeout = Math.round(commandTimeout * 1000);
  const keepAlive = options['socket_keepalive'];
  if (keepAlive === true) redis.keepAlive = 1000;
  const username = str(options['username']);
  if (username !== undefined) redis.username = username;
  const password = str(options['password']);
  if (password !== undefined) redis.password = password;
  const extra = options['redisOptions'];
  if (typeof extra === 'object' && extra !== null) Object.assign(redis, extra);
}

/** Python's `ssl.CERT_*` values (kombu/redis-py accept the names, the lower-case words, and the numbers). */
const CERT_REQS: Record<string, 'none' | 'optional' | 'required'> = {
  none: 'none',
  cert_none: 'none',
  '0': 'none',
  optional: 'optional',
  cert_optional: 'optional',
  '1': 'optional',
  required: 'required',
  cert_required: 'required',
  '2': 'required',
};

/**
 * Node TLS options from redis-py's `ssl_*` settings, each taken from the URL query first, else from the transport
 * options (Celery's `broker_use_ssl` / `redis_backend_use_ssl` use the same names):
 *
 * - `ssl_ca_certs`, `ssl_certfile`, `ssl_keyfile`: file paths, read now into `ca`, `cert`, `key`;
 * - `ssl_cert_reqs`: `required` (default) and `optional` verify the server's certificate (`optional` means the
 *   same as `required` for a client in Python's `ssl`), `none` turns verification off (`rejectUnauthorized: false`);
 * - `ssl_check_hostname`: `false` (or another false word of core's `parseBooleanWord`) keeps the chain check but
 *   skips the host name check.
 */
function tlsOptions(url: string, query: Record<string, string>, options: Record<string, unknown>): ConnectionOptions {
  const pick = (key: string): { value: unknown; from: string } | undefined => {
    const q = query[key];
    if (q !== undefined && q !== '') return { value: q, from: 'query parameter' };
    const v = options[key];
    return v === undefined || v === null || v === '' ? undefined : { value: v, from: 'transport option' };
  };
  const tls: ConnectionOptions = {};
  const file = (key: string, into: 'ca' | 'cert' | 'key'): void => {
    const given = pick(key);
    if (given === undefined) return;
    if (typeof given.value !== 'string' || given.value === '') throw invalid(url, `${given.from} ${key} must be a file path (got ${JSON.stringify(given.value)})`);
    try {
      tls[into] = readFileSync(given.value);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw invalid(url, `${given.from} ${key}: cannot read "${given.value}" (${reason})`, err);
    }
  };
  file('ssl_ca_certs', 'ca');
  file('ssl_certfile', 'cert');
  file('ssl_keyfile', 'key');
  const reqs = pick('ssl_cert_reqs');
  if (reqs !== undefined) {
    const mode = typeof reqs.value === 'string' || typeof reqs.value === 'number' ? CERT_REQS[String(reqs.value).toLowerCase()] : undefined;
    if (mode === undefined) throw invalid(url, `${reqs.from} ssl_cert_reqs=${JSON.stringify(reqs.value)} is not one of required, optional, none (or CERT_REQUIRED, CERT_OPTIONAL, CERT_NONE)`);
    if (mode === 'none') tls.rejectUnauthorized = false;
  }
  const check = pick('ssl_check_hostname');
  if (check !== undefined) {
    const on = parseBooleanWord(check.value);
    if (on === undefined) throw invalid(url, `${check.from} ssl_check_hostname=${JSON.stringify(check.value)} is not one of ${BOOLEAN_WORDS_HINT}`);
    if (!on) tls.checkServerIdentity = () => undefined;
  }
  return tls;
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
  applyOptions(redis, options);
  return { redis, db, kind: 'sentinel', query };
}

/**
 * Parses a Redis broker/backend URL into ioredis options. `options` are kombu-style transport options
 * (`master_name`, `socket_connect_timeout`, `socket_timeout`, `socket_keepalive`, `sentinel_kwargs`,
 * `username`, `password`, and `redisOptions` passed straight to ioredis). For `rediss://`, redis-py's `ssl_*`
 * settings (see `tlsOptions`) come from the URL query, else from `options`; the certificate files are read here.
 * @throws ConfigError `Q_ERR_URL_INVALID` for a malformed URL, an unknown scheme, a bad port or db, an `ssl_*`
 *   file that cannot be read, or an unknown `ssl_cert_reqs` / `ssl_check_hostname` value.
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
    if (kind === 'tls') redis.tls = tlsOptions(url, q.all, options);
  } else {
    throw invalid(url, `unknown scheme "${scheme}" (expected redis, rediss, redis+socket or sentinel)`);
  }
  credentials(u, redis);
  if (q.all['password'] !== undefined) redis.password = q.all['password'];
  if (q.all['username'] !== undefined) redis.username = q.all['username'];
  redis.db = db;
  applyOptions(redis, options);
  return { redis, db, kind, query: q.rest };
}
