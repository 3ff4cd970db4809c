/**
 * Options of the AMQP transport: typed camelCase options first, kombu's names (`transportOptions`, Celery's
 * `broker_transport_options`) second, URL query parameters third, defaults last.
 */
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import type { Logger } from '@q/core';
import { ConfigError, silentLogger } from '@q/core';
import { BOOLEAN_WORDS_HINT, parseBooleanWord } from '@q/core/adapter';
import { maskAmqpUrl, parseAmqpUrl, type AmqpEndpoint } from './url.js';

/** SASL mechanisms amqplib can use. */
export type AmqpLoginMethod = 'PLAIN' | 'AMQPLAIN' | 'EXTERNAL';

/** Options of {@link amqpTransport}. */
export interface AmqpTransportOptions {
  /** Broker URL or `;`-separated failover list (default `amqp://guest:guest@localhost:5672//`). */
  url?: string;
  /** kombu-style options by their kombu names (`heartbeat`, `connect_timeout`, `confirm_publish`, `ssl`, …). */
  transportOptions?: Record<string, unknown>;
  /** Heartbeat proposed to the broker (Celery `broker_heartbeat`, default 120 s; the broker's lower value wins; 0 = off). */
  heartbeatMs?: number;
  /** Give up one connection attempt after this long (Celery `broker_connection_timeout`, default 4 s). */
  connectTimeoutMs?: number;
  /** TLS: `true`, or Node `tls.connect` options (`ca`, `cert`, `key`, `rejectUnauthorized`, `servername`, …). */
  ssl?: boolean | TlsOptions;
  /** SASL mechanism (default `PLAIN`; `EXTERNAL` authenticates with the TLS client certificate). */
  loginMethod?: AmqpLoginMethod;
  /** Publish on a confirm channel and resolve once the broker confirmed (default true). */
  confirmPublish?: boolean;
  /** How long a publish made while the connection is down waits for the reconnect (default 10 s). */
  publishWaitMs?: number;
  /** First delay before reconnecting after a lost connection or channel (default 100 ms, doubling). */
  reconnectDelayMs?: number;
  /** Longest delay between reconnect attempts (default 2 s, as the Redis clients: a broker back is used within ~2 s). */
  maxReconnectDelayMs?: number;
  /** How long `close()` waits for pending confirms and the broker's close-ok (default 5 s). */
  closeTimeoutMs?: number;
  /** `connection_name` client property, shown by `rabbitmqctl list_connections` (default `q:<pid>`). */
  connectionName?: string;
  logger?: Logger;
}

/** Everything resolved. */
export interface ResolvedAmqpOptions {
  /** The URL as given (for `describe()`, masked there). */
  readonly url: string;
  readonly endpoints: readonly AmqpEndpoint[];
  /** Whole seconds (AMQP negotiates seconds). */
  readonly heartbeatS: number;
  readonly connectTimeoutMs: number;
  /** TLS options for `amqps://` endpoints (`{}` = defaults). */
  readonly tls: TlsOptions;
  /** Forces TLS on every endpoint (`ssl: true` as a transport option). */
  readonly forceTls: boolean;
  readonly loginMethod: AmqpLoginMethod;
  readonly confirmPublish: boolean;
  readonly publishWaitMs: number;
  readonly reconnectDelayMs: number;
  readonly maxReconnectDelayMs: number;
  readonly closeTimeoutMs: number;
  readonly clientProperties: Readonly<Record<string, unknown>>;
  readonly frameMax: number | null;
  readonly transportOptions: Readonly<Record<string, unknown>>;
  readonly logger: Logger;
}

/** Celery's default broker URL. */
export const DEFAULT_URL = 'amqp://guest:guest@localhost:5672//';
/** Celery's `broker_heartbeat`. */
export const DEFAULT_HEARTBEAT_MS = 120_000;
/** Celery's `broker_connection_timeout`. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 4_000;

function seconds(opts: Record<string, unknown>, name: string): number | undefined {
  const v = opts[name];
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) {
    throw new ConfigError('Q_ERR_CONFIG_INVALID', `AMQP option ${name} must be a non-negative number of seconds (got ${JSON.stringify(v)})`);
  }
  return n * 1000;
}

function ms(name: string, v: number | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isFinite(v) || v < 0) throw new ConfigError('Q_ERR_CONFIG_INVALID', `amqpTransport option ${name} must be a non-negative number of ms (got ${v})`);
  return v;
}

/**
 * An on/off kombu option (`confirm_publish`): `undefined` when absent or empty, else one of core's boolean words.
 * Another value is a ConfigError naming the option and the value: `Q_ERR_CONFIG_INVALID` when it came from
 * `transportOptions`, `Q_ERR_URL_INVALID` when it came from the URL query.
 */
function onOff(url: string, given: Record<string, unknown>, t: Record<string, unknown>, name: string): boolean | undefined {
  const v = t[name];
  if (v === undefined || v === null || v === '') return undefined;
  const on = parseBooleanWord(v);
  if (on !== undefined) return on;
  if (Object.hasOwn(given, name)) {
    throw new ConfigError('Q_ERR_CONFIG_INVALID', `AMQP option ${name} must be one of ${BOOLEAN_WORDS_HINT} (got ${JSON.stringify(v)})`);
  }
  throw new ConfigError('Q_ERR_URL_INVALID', `AMQP URL "${maskAmqpUrl(url)}" is invalid: query parameter ${name}=${JSON.stringify(v)} is not one of ${BOOLEAN_WORDS_HINT}`);
}

const PATH_KEYS = ['ca_certs', 'certfile', 'keyfile'];

/** Node TLS options from `ssl` (Node names, plus kombu's `cert_reqs` and `server_hostname`). */
function tlsOptions(ssl: unknown, query: Record<string, unknown>): { tls: TlsOptions; force: boolean } {
  const tls: TlsOptions = {};
  let force = false;
  if (typeof ssl === 'object' && ssl !== null) {
    force = true;
    const given = { ...(ssl as Record<string, unknown>) };
    for (const key of PATH_KEYS) {
      if (given[key] !== undefined) {
        throw new ConfigError(
          'Q_ERR_CONFIG_INVALID',
          `AMQP ssl option ${key} is a file path, which q does not read: pass the PEM contents as ${key === 'ca_certs' ? 'ca' : key === 'certfile' ? 'cert' : 'key'}`,
        );
      }
    }
    const reqs = given['cert_reqs'];
    delete given['cert_reqs'];
    if (reqs !== undefined) tls.rejectUnauthorized = !(reqs === 0 || String(reqs).toUpperCase() === 'CERT_NONE' || String(reqs).toLowerCase() === 'none');
    const server = given['server_hostname'];
    delete given['server_hostname'];
    if (typeof server === 'string') tls.servername = server;
    Object.assign(tls, given);
  } else if (ssl !== undefined && ssl !== null && ssl !== '') {
    // A bad `?ssl=` never gets here: parseAmqpUrl rejects it with Q_ERR_URL_INVALID.
    const on = parseBooleanWord(ssl);
    if (on === undefined) {
      throw new ConfigError('Q_ERR_CONFIG_INVALID', `AMQP option ssl must be one of ${BOOLEAN_WORDS_HINT}, or an object of TLS options (got ${JSON.stringify(ssl)})`);
    }
    force = on;
  }
  const reqs = query['ssl_cert_reqs'];
  if (typeof reqs === 'string' && ['none', 'cert_none'].includes(reqs.toLowerCase())) tls.rejectUnauthorized = false;
  return { tls, force };
}

/**
 * Resolves options (URL query parameters count as transport options, as kombu reads them).
 * @throws ConfigError `Q_ERR_URL_INVALID` for a bad URL or query parameter, `Q_ERR_CONFIG_INVALID` for a bad option
 *   (an on/off option, `ssl` or `confirm_publish`, that is not one of core's boolean words included).
 */
export function resolveAmqpOptions(options: AmqpTransportOptions | string = {}): ResolvedAmqpOptions {
  const o: AmqpTransportOptions = typeof options === 'string' ? { url: options } : options;
  const url = o.url ?? DEFAULT_URL;
  const endpoints = parseAmqpUrl(url);
  const given = o.transportOptions ?? {};
  const t: Record<string, unknown> = { ...(endpoints[0]?.query ?? {}), ...given };
  const heartbeatMs = ms('heartbeatMs', o.heartbeatMs) ?? seconds(t, 'heartbeat') ?? DEFAULT_HEARTBEAT_MS;
  const { tls, force } = tlsOptions(o.ssl ?? t['ssl'], t);
  const login = String(o.loginMethod ?? t['login_method'] ?? 'PLAIN').toUpperCase();
  if (login !== 'PLAIN' && login !== 'AMQPLAIN' && login !== 'EXTERNAL') {
    throw new ConfigError('Q_ERR_CONFIG_INVALID', `AMQP login_method must be PLAIN, AMQPLAIN or EXTERNAL (got ${login})`);
  }
  const confirm = o.confirmPublish ?? onOff(url, given, t, 'confirm_publish') ?? true;
  const extra = t['client_properties'];
  const frameMax = t['frame_max'] === undefined ? null : Number(t['frame_max']);
  if (frameMax !== null && (!Number.isInteger(frameMax) || frameMax < 4096)) {
    throw new ConfigError('Q_ERR_CONFIG_INVALID', `AMQP frame_max must be an integer ≥ 4096 (got ${String(t['frame_max'])})`);
  }
  const name = o.connectionName ?? (typeof t['connection_name'] === 'string' ? t['connection_name'] : `q:${process.pid}`);
  return Object.freeze({
    url,
    endpoints,
    heartbeatS: Math.ceil(heartbeatMs / 1000),
    connectTimeoutMs: ms('connectTimeoutMs', o.connectTimeoutMs) ?? seconds(t, 'connect_timeout') ?? DEFAULT_CONNECT_TIMEOUT_MS,
    tls,
    forceTls: force,
    loginMethod: login,
    confirmPublish: confirm,
    publishWaitMs: ms('publishWaitMs', o.publishWaitMs) ?? 10_000,
    reconnectDelayMs: Math.max(1, ms('reconnectDelayMs', o.reconnectDelayMs) ?? 100),
    maxReconnectDelayMs: Math.max(1, ms('maxReconnectDelayMs', o.maxReconnectDelayMs) ?? 2_000),
    closeTimeoutMs: ms('closeTimeoutMs', o.closeTimeoutMs) ?? 5_000,
    clientProperties: { ...(typeof extra === 'object' && extra !== null ? extra : {}), connection_name: name },
    frameMax,
    transportOptions: t,
    logger: o.logger ?? silentLogger,
  });
}
