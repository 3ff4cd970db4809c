/**
 * Fault injection for connection handling: an adapter (transport, queue driver, result backend) whose first
 * connects are refused as an unreachable server refuses them, to test start-up retries, give-ups and closes.
 */
import { ConnectionError } from '@q/core';

/** What {@link refusingConnections} counted. */
export interface ConnectionStats {
  /** Calls of `connect()`, refused ones included. */
  connects: number;
  /** Calls of `close()`. */
  closes: number;
}

/** Anything with a `connect()` and a `close()`: a transport, a queue or key-value driver, a result backend. */
export interface Connectable {
  /** Opens the adapter's connections. */
  connect(): Promise<void>;
  /** Closes them. */
  close(): Promise<void>;
}

/**
 * `inner` (a proxy of it: every other member is `inner`'s) whose first `refusals` calls of `connect()` throw a
 * retryable `ConnectionError` (`Q_ERR_CONNECTION_FAILED`, `message`: default `connect ECONNREFUSED`), and whose
 * connects and closes are counted in `stats`.
 *
 * ```ts
 * const broker = refusingConnections(virtualTransport(memoryQueueDriver()), 2);
 * const app = createTestApp({ broker: broker.adapter });
 * // … the app connects on its third attempt: broker.stats.connects === 3
 * ```
 */
export function refusingConnections<T extends object & Connectable>(
  inner: T,
  refusals: number,
  message = 'connect ECONNREFUSED',
): { adapter: T; stats: ConnectionStats } {
  const stats: ConnectionStats = { connects: 0, closes: 0 };
  const adapter = new Proxy(inner, {
    get(target, key) {
      if (key === 'connect') {
        return async () => {
          stats.connects++;
          if (stats.connects <= refusals) throw new ConnectionError('Q_ERR_CONNECTION_FAILED', message, { retryable: true });
          await target.connect();
        };
      }
      if (key === 'close') {
        return async () => {
          stats.closes++;
          await target.close();
        };
      }
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { adapter, stats };
}
