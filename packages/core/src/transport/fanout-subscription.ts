/**
 * A consumer of a queue bound to natively fanned-out exchanges (driver `fanout` capability, e.g. Redis PUBLISH):
 * it subscribes instead of reserving. There is no lease, so `ack`/`nack` do nothing, like kombu's fanout over
 * pub/sub: subscribers that are not connected miss the message.
 */
import type { Logger } from '../contracts/logger.js';
import type { Delivery } from '../contracts/message.js';
import type { QueueDriver } from '../contracts/queue-driver.js';
import type { Consumer, DeliveryHandler } from '../contracts/transport.js';
import { QError } from '../errors/q-error.js';
import { decodeEnvelope } from '../protocol/envelope.js';

/** A fanout exchange a queue is bound to, with the binding's routing key (a pattern such as `worker.#`). */
export interface FanoutBinding {
  exchange: string;
  routingKey: string;
}

/** Subscribe `queue` to each of its fanout bindings. */
export async function subscribeFanout(
  driver: QueueDriver,
  queue: string,
  bindings: readonly FanoutBinding[],
  handler: DeliveryHandler,
  logger: Logger,
): Promise<Consumer> {
  const subscribe = driver.subscribe?.bind(driver);
  if (!subscribe) throw new QError('Q_ERR_TRANSPORT_UNSUPPORTED', `${driver.describe()} cannot subscribe to fanout exchanges`);
  const unsubscribes: (() => Promise<void>)[] = [];
  let cancelled = false;
  const onPayload = (payload: string): void => {
    if (cancelled) return;
    let delivery: Delivery;
    try {
      const decoded = decodeEnvelope(payload);
      delivery = {
        message: decoded.message,
        info: {
          exchange: decoded.exchange,
          routingKey: decoded.routingKey,
          redelivered: decoded.redelivered,
          queue,
          deliveryTag: decoded.deliveryTag,
          priority: decoded.priority,
        },
        ack: async () => {},
        nack: async () => {},
      };
    } catch (error) {
      logger.error({ err: error, queue }, 'malformed fanout envelope: dropped');
      return;
    }
    try {
      const result: unknown = handler(delivery);
      if (result instanceof Promise) result.catch((err: unknown) => logger.error({ err, queue }, 'delivery handler failed'));
    } catch (error) {
      logger.error({ err: error, queue }, 'delivery handler failed');
    }
  };
  for (const binding of bindings) {
    unsubscribes.push(await subscribe(binding.exchange, binding.routingKey, onPayload));
  }
  return {
    queue,
    async cancel() {
      if (cancelled) return;
      cancelled = true;
      await Promise.all(unsubscribes.map((off) => off()));
    },
    async setPrefetch() {
      // Pub/sub has no prefetch.
    },
  };
}
