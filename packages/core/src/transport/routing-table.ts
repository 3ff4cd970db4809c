/**
 * Exchange routing for virtual transports: which queues a message published to a named exchange lands in.
 * Bindings come from the driver (`persistentBindings`) or from an in-memory {@link RoutingTable}.
 */
import type { StoredBinding } from '../contracts/queue-driver.js';
import type { ExchangeType } from '../contracts/transport.js';
import { kombuTopicPattern, topicMatches } from './topic-match.js';

/** The binding kombu would store for `queue` bound to an exchange of `type` with `routingKey`. */
export function storedBinding(type: ExchangeType, routingKey: string, queue: string): StoredBinding {
  return { routingKey, pattern: type === 'topic' ? kombuTopicPattern(routingKey) : '', queue };
}

/**
 * Queues a message with `routingKey` goes to: direct = exact key, topic = AMQP wildcards, fanout = every
 * bound queue. `headers` exchanges are not emulated (no queue). Each queue appears once, in binding order.
 */
export function routeQueues(type: ExchangeType, bindings: readonly StoredBinding[], routingKey: string): string[] {
  const queues: string[] = [];
  for (const binding of bindings) {
    let matches: boolean;
    switch (type) {
      case 'fanout':
        matches = true;
        break;
      case 'topic':
        matches = topicMatches(binding.routingKey, routingKey);
        break;
      case 'direct':
        matches = binding.routingKey === routingKey;
        break;
      default:
        matches = false;
    }
    if (matches && !queues.includes(binding.queue)) queues.push(binding.queue);
  }
  return queues;
}

/** In-memory bindings per exchange, for drivers without `persistentBindings`. */
export class RoutingTable {
  readonly #bindings = new Map<string, StoredBinding[]>();

  /** Add a binding (idempotent). */
  bind(exchange: string, binding: StoredBinding): void {
    const list = this.#bindings.get(exchange) ?? [];
    const exists = list.some(
      (b) => b.queue === binding.queue && b.routingKey === binding.routingKey && b.pattern === binding.pattern,
    );
    if (!exists) list.push({ ...binding });
    this.#bindings.set(exchange, list);
  }

  /** Bindings of `exchange` (a copy). */
  bindings(exchange: string): StoredBinding[] {
    return [...(this.#bindings.get(exchange) ?? [])];
  }
}
