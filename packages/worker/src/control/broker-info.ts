/**
 * The `broker` part of the `stats` reply: kombu's `Connection.info()` (`hostname`, `userid`, `virtual_host`, `port`,
 * `transport`, …), read from the URL the transport describes itself with. The password is never part of it, and
 * the transport options are masked as the `conf` reply masks them (`password`, `sentinel_kwargs.password` → `********`).
 */
import type { BrokerStats, ResolvedConfig } from '@q/core';
import { maskSetting } from './mask-settings.js';

/** kombu's default ports by transport. */
const DEFAULT_PORTS: Readonly<Record<string, number>> = { redis: 6379, rediss: 6379, amqp: 5672, pyamqp: 5672, amqps: 5671, sqs: 443 };
/** kombu's transport aliases (`pyamqp` is `amqp` in `Connection.info()`). */
const TRANSPORT_NAMES: Readonly<Record<string, string>> = { pyamqp: 'amqp', amqps: 'amqp', rediss: 'redis' };

/** The first `scheme://…` URL in `text` (a transport's `describe()`: `redis transport redis://h:6379/1`), split into failover URLs. */
function urlsOf(text: string): string[] {
  const found = /[a-z][a-z0-9+.-]*:\/\/\S*/i.exec(text);
  return found === null ? [] : found[0].split(';').filter((u) => u !== '');
}

/** The URL in a transport's or backend's description (`redis transport redis://h:6379/1` → `redis://h:6379/1`), else the description. */
export function describedUrl(text: string): string {
  return /[a-z][a-z0-9+.-]*:\/\/\S*/i.exec(text)?.[0] ?? text;
}

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** A URL without its password, as kombu lists `alternates`. */
function withoutPassword(url: URL): string {
  const copy = new URL(url.href);
  copy.password = '';
  return copy.href;
}

/**
 * kombu's `Connection.info()` for the transport described as `described` (its `describe()`), with the connection
 * settings of `conf`. A transport described without a URL gives `transport` = the description's first word.
 */
export function brokerInfo(described: string, conf: ResolvedConfig): BrokerStats {
  const [first, ...rest] = urlsOf(described).map(parse);
  const scheme = first ? first.protocol.replace(/:$/, '').toLowerCase() : (described.split(/[\s:]/)[0] ?? 'unknown');
  const path = first ? decodeURIComponent(first.pathname.replace(/^\//, '')) : '';
  const port = first?.port ? Number(first.port) : (DEFAULT_PORTS[scheme] ?? null);
  return {
    hostname: first?.hostname ? first.hostname : null,
    userid: first?.username ? decodeURIComponent(first.username) : null,
    virtual_host: path === '' ? (scheme.includes('amqp') ? '/' : null) : path,
    port,
    insist: false,
    ssl: scheme === 'rediss' || scheme === 'amqps',
    transport: TRANSPORT_NAMES[scheme] ?? scheme,
    connect_timeout: conf.broker.connectionTimeout,
    transport_options: maskSetting('transport_options', { ...conf.broker.transportOptions }) as Record<string, unknown>,
    login_method: null,
    uri_prefix: null,
    heartbeat: null,
    failover_strategy: 'round-robin',
    alternates: rest.filter((u): u is URL => u !== null).map(withoutPassword),
  };
}
