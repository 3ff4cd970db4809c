/**
 * Options of {@link metricsPlugin} and their validation (once, when the plugin is created).
 */
import { ConfigError } from '@q/core';
import { Registry } from 'prom-client';

/** What a user passes to `metricsPlugin()`. */
export interface MetricsOptions {
  /**
   * Serve `GET /metrics` on this port while the worker runs (`0`: any free port, see `plugin.addressOf(worker)`).
   * Omitted: no server; read `plugin.registry` yourself.
   */
  port?: number;
  /** Interface the server listens on (default `127.0.0.1`; `0.0.0.0` for every interface). */
  host?: string;
  /**
   * Registry the metrics go into (default: a new one per plugin). Plugins given the same registry share its metrics;
   * the `worker` label tells their workers apart.
   */
  registry?: Registry;
  /** Prefix of every q metric name (default `q_`; `''` for none). Node's process metrics keep their standard names. */
  prefix?: string;
  /** Also export Node's process metrics (`process_cpu_seconds_total`, `nodejs_heap_size_used_bytes`, …; default true). */
  defaultMetrics?: boolean;
  /** How long a scrape waits for the broker's queue lengths, in ms (default 2000); a queue not told in time is left out. */
  queueSizeTimeoutMs?: number;
}

/** {@link MetricsOptions} after defaults. */
export interface ResolvedMetricsOptions {
  readonly port: number | null;
  readonly host: string;
  readonly registry: Registry;
  readonly prefix: string;
  readonly defaultMetrics: boolean;
  readonly queueSizeTimeoutMs: number;
}

const METRIC_PREFIX = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/**
 * Validate and apply defaults.
 *
 * @throws ConfigError `Q_ERR_CONFIG_INVALID` naming the option that is wrong.
 */
export function resolveMetricsOptions(options: MetricsOptions = {}): ResolvedMetricsOptions {
  if (typeof options !== 'object' || options === null) throw invalid('options', 'must be an object', options);
  const { port, host = '127.0.0.1', registry, prefix = 'q_', defaultMetrics = true, queueSizeTimeoutMs = 2000 } = options;
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    throw invalid('port', 'must be an integer from 0 to 65535', port);
  }
  if (typeof host !== 'string' || host === '') throw invalid('host', 'must be a non-empty string', host);
  if (typeof prefix !== 'string' || (prefix !== '' && !METRIC_PREFIX.test(prefix))) {
    throw invalid('prefix', 'must be a valid Prometheus metric name prefix ([a-zA-Z_:][a-zA-Z0-9_:]*) or empty', prefix);
  }
  if (registry !== undefined && !isRegistry(registry)) throw invalid('registry', 'must be a prom-client Registry', registry);
  if (typeof defaultMetrics !== 'boolean') throw invalid('defaultMetrics', 'must be a boolean', defaultMetrics);
  if (typeof queueSizeTimeoutMs !== 'number' || !(queueSizeTimeoutMs > 0) || !Number.isFinite(queueSizeTimeoutMs)) {
    throw invalid('queueSizeTimeoutMs', 'must be a positive number of milliseconds', queueSizeTimeoutMs);
  }
  return Object.freeze({
    port: port ?? null,
    host,
    registry: registry ?? new Registry(),
    prefix,
    defaultMetrics,
    queueSizeTimeoutMs,
  });
}

/** A prom-client registry, also one from another copy of prom-client. */
function isRegistry(value: unknown): value is Registry {
  if (value instanceof Registry) return true;
  const r = value as Partial<Registry> | null;
  return typeof r === 'object' && r !== null && typeof r.metrics === 'function' && typeof r.registerMetric === 'function';
}

function invalid(path: string, problem: string, value: unknown): ConfigError {
  return new ConfigError('Q_ERR_CONFIG_INVALID', `metricsPlugin: ${path} ${problem} (got ${describe(value)})`);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object' && value !== null) return value.constructor?.name ?? 'object';
  return String(value);
}
