/**
 * `redisTransport()`: the Redis queue driver lifted into a full q transport by core's `virtualTransport()`
 * (envelopes, exchange emulation, consume loop with prefetch), with lease renewal so messages a live worker
 * holds (ETA tasks, long tasks) are not redelivered after the visibility timeout (kombu issue 337).
 */
import type { Transport } from '@q/core';
import { virtualTransport } from '@q/core';
import type { RedisQueueDriverOptions } from './options.js';
import { redisQueueDriver } from './redis-queue-driver.js';

/** Options of {@link redisTransport}. */
export interface RedisTransportOptions extends RedisQueueDriverOptions {
  /**
   * Renew held leases this often (default: a third of the visibility timeout); `false` turns renewal off,
   * which is kombu's behaviour (held messages are redelivered once the visibility timeout expires).
   */
  leaseRenewalMs?: number | false;
}

/**
 * A Redis transport, wire-compatible with Celery's (kombu's) Redis transport.
 *
 * ```ts
 * const app = createApp({ broker: redisTransport('redis://127.0.0.1:6379/0') });
 * ```
 * @throws ConfigError `Q_ERR_URL_INVALID` for a bad URL.
 */
export function redisTransport(options: RedisTransportOptions | string = {}): Transport {
  const o: RedisTransportOptions = typeof options === 'string' ? { url: options } : options;
  const driver = redisQueueDriver(o);
  const renewal = o.leaseRenewalMs ?? Math.max(10, Math.floor(driver.options.visibilityTimeoutMs / 3));
  return virtualTransport(driver, {
    ...(o.logger ? { logger: o.logger } : {}),
    ...(renewal === false ? {} : { leaseRenewalMs: renewal }),
  });
}
