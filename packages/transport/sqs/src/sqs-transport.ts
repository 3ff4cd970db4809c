/**
 * `sqsTransport()`: the SQS queue driver lifted into a full q transport by core's `virtualTransport()` (envelopes,
 * exchange emulation, consume loop with prefetch), with lease renewal so messages a live worker holds (ETA tasks,
 * long tasks) are not redelivered after the visibility timeout (the kombu pitfall).
 */
import type { Transport } from '@q/core';
import { virtualTransport } from '@q/core';
import type { SqsQueueDriverOptions } from './options.js';
import { sqsQueueDriver } from './sqs-queue-driver.js';

/** Options of {@link sqsTransport}. */
export interface SqsTransportOptions extends SqsQueueDriverOptions {
  /**
   * Renew held leases (ChangeMessageVisibility) this often (default: a third of the visibility timeout); `false`
   * turns renewal off, which is kombu's behaviour (held messages are redelivered once the visibility timeout expires).
   */
  leaseRenewalMs?: number | false;
}

/**
 * An Amazon SQS transport, wire-compatible with Celery's (kombu's) SQS transport.
 *
 * ```ts
 * const app = createApp({ broker: sqsTransport({ region: 'eu-west-1', queueNamePrefix: 'prod-' }) });
 * ```
 * @throws ConfigError `Q_ERR_URL_INVALID` for a bad URL, `Q_ERR_CONFIG_INVALID` for a bad option.
 */
export function sqsTransport(options: SqsTransportOptions | string = {}): Transport {
  const o: SqsTransportOptions = typeof options === 'string' ? { url: options } : options;
  const driver = sqsQueueDriver(o);
  const renewal = o.leaseRenewalMs ?? Math.max(1000, Math.floor(driver.options.visibilityTimeoutMs / 3));
  return virtualTransport(driver, {
    pollIntervalMs: driver.options.pollingIntervalMs,
    ...(o.logger ? { logger: o.logger } : {}),
    ...(renewal === false ? {} : { leaseRenewalMs: renewal }),
  });
}
