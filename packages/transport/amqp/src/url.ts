/**
 * AMQP broker URLs in kombu's forms:
 *
 * - `amqp://[user[:password]@]host[:port][/vhost][?query]` (also `pyamqp://`, read the same way)
 * - `amqps://…` (TLS, default port 5671), or `amqp://…?ssl=true` (any of core's `parseBooleanWord` words; an
 *   unknown word is an error)
 * - a failover list: URLs separated by `;` (`amqp://a//;amqp://b//`), tried round robin
 *
 * The vhost is the URL-decoded path after the first `/`: an empty path, `//` and `/%2F` all mean `/`. A missing
 * user or password is `guest` (kombu's defaults); a missing host is `localhost`.
 */
import { ConfigError } from '@q/core';
import { BOOLEAN_WORDS_HINT, parseBooleanWord } from '@q/core/adapter';

/** URL schemes served by `@q/transport-amqp`. */
export const AMQP_SCHEMES = ['amqp', 'amqps', 'pyamqp'] as const;

/** One broker of a (failover) URL. */
export interface AmqpEndpoint {
  /** This part of the URL as given (passwords masked by {@link maskAmqpUrl} for display). */
  readonly url: string;
  readonly scheme: (typeof AMQP_SCHEMES)[number];
  /** `amqps://`, or `?ssl=` set to a true word (`true`, `yes`, `on`, `1`, …). */
  readonly tls: boolean;
  readonly hostname: string;
  /** The port given, else 5671 with TLS and 5672 without. */
  readonly port: number;
  /** Whether the URL named the port (if not, forcing TLS by option moves the default to 5671). */
  readonly portGiven: boolean;
  readonly username: string;
  readonly password: string;
  /** Decoded vhost (`/` by default). */
  readonly vhost: string;
  /** Query parameters (kombu reads them as connection and transport options). */
  readonly query: Readonly<Record<string, string>>;
}

/** Hides every password of an AMQP URL (all parts of a failover list). */
export function maskAmqpUrl(url: string): string {
  return url
    .split(';')
    .map((part) => part.replace(/(\/\/[^:/@]*:)[^@/]*@/, '$1***@'))
    .join(';');
}

function invalid(url: string, why: string, cause?: unknown): ConfigError {
  return new ConfigError('Q_ERR_URL_INVALID', `AMQP URL "${maskAmqpUrl(url)}" is invalid: ${why}`, cause === undefined ? {} : { cause });
}

/** `?ssl=`: off when absent or empty; otherwise one of core's boolean words, else `Q_ERR_URL_INVALID`. */
function sslParam(whole: string, raw: string | undefined): boolean {
  if (raw === undefined || raw === '') return false;
  const on = parseBooleanWord(raw);
  if (on === undefined) throw invalid(whole, `query parameter ssl=${JSON.stringify(raw)} is not one of ${BOOLEAN_WORDS_HINT}`);
  return on;
}

function decode(url: string, what: string, raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch (err) {
    throw invalid(url, `${what} "${raw}" has a bad %-escape`, err);
  }
}

function parseOne(whole: string, part: string): AmqpEndpoint {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(part)?.[1]?.toLowerCase();
  if (scheme === undefined) throw invalid(whole, `"${maskAmqpUrl(part)}" does not start with scheme://`);
  if (!(AMQP_SCHEMES as readonly string[]).includes(scheme)) {
    throw invalid(whole, `unknown scheme "${scheme}" (expected ${AMQP_SCHEMES.join(', ')})`);
  }
  let u: URL;
  try {
    u = new URL(part);
  } catch (err) {
    throw invalid(whole, `"${maskAmqpUrl(part)}" is not a valid URL (check the host and port)`, err);
  }
  const query: Record<string, string> = {};
  for (const [k, v] of u.searchParams) query[k] = v;
  const ssl = sslParam(whole, query['ssl']);
  const tls = scheme === 'amqps' || ssl;
  let port = tls ? 5671 : 5672;
  if (u.port !== '') {
    port = Number(u.port);
    if (!Number.isInteger(port) || port <= 0 || port > 65535) throw invalid(whole, `port "${u.port}" is out of range`);
  }
  const hostname = decode(whole, 'host', u.hostname.replace(/^\[|\]$/g, '')) || 'localhost';
  const path = u.pathname.startsWith('/') ? u.pathname.slice(1) : u.pathname;
  const vhost = decode(whole, 'vhost', path) || '/';
  return {
    url: part,
    scheme: scheme as AmqpEndpoint['scheme'],
    tls,
    hostname,
    port,
    portGiven: u.port !== '',
    username: u.username === '' ? 'guest' : decode(whole, 'user', u.username),
    password: u.password === '' ? 'guest' : decode(whole, 'password', u.password),
    vhost,
    query,
  };
}

/**
 * Parses an AMQP URL or a `;`-separated failover list.
 * @throws ConfigError `Q_ERR_URL_INVALID` naming the problem (scheme, port, %-escape, empty list, an `ssl` value
 *   that is not a boolean word).
 */
export function parseAmqpUrl(url: string): AmqpEndpoint[] {
  const parts = url
    .split(';')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0) throw invalid(url, 'no URL given');
  return parts.map((part) => parseOne(url, part));
}
