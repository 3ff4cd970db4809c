/** Helpers shared by the conformance suites. */
import type { Delivery, Message } from '@q/core/adapter';

/** Pause. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A name unique to this test run, so suites can share a broker (`q-conf-<prefix>-<random>`). */
export function uniqueName(prefix: string): string {
  return `q-conf-${prefix}-${Math.random().toString(36).slice(2, 10)}`;
}

/** A message whose body is `text` (UTF-8). */
export function textMessage(text: string, properties: Message['properties'] = {}, headers: Record<string, unknown> = {}): Message {
  return {
    body: new TextEncoder().encode(text),
    contentType: 'application/json',
    contentEncoding: 'utf-8',
    headers,
    properties,
  };
}

/** The body of a message as text. */
export function bodyText(message: Message): string {
  return new TextDecoder().decode(message.body);
}

/** Poll `check` until it returns true; throws after `timeoutMs`. */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

/** A delivery handler that records deliveries. */
export interface Collector {
  readonly deliveries: Delivery[];
  readonly handler: (delivery: Delivery) => void;
  /** Wait until at least `n` deliveries arrived. */
  waitFor(n: number, timeoutMs: number): Promise<Delivery[]>;
  /** The bodies received, as text. */
  bodies(): string[];
}

/** Make a {@link Collector}; `onDelivery` runs for each delivery (e.g. to ack it). */
export function collector(onDelivery?: (delivery: Delivery) => void | Promise<void>): Collector {
  const deliveries: Delivery[] = [];
  return {
    deliveries,
    handler: (delivery) => {
      deliveries.push(delivery);
      void onDelivery?.(delivery);
    },
    async waitFor(n, timeoutMs) {
      await waitUntil(() => deliveries.length >= n, timeoutMs, `${n} deliveries (got ${deliveries.length})`);
      return deliveries;
    },
    bodies: () => deliveries.map((d) => bodyText(d.message)),
  };
}

/**
 * A kombu JSON envelope as virtual transports store it (what a queue driver moves), for driver suites that do not
 * go through `virtualTransport`.
 */
export function kombuEnvelope(init: { body: string; tag: string; routingKey: string; priority?: number }): string {
  return JSON.stringify({
    body: Buffer.from(init.body, 'utf8').toString('base64'),
    'content-encoding': 'utf-8',
    'content-type': 'application/json',
    headers: {},
    properties: {
      delivery_mode: 2,
      delivery_info: { exchange: '', routing_key: init.routingKey },
      priority: init.priority ?? 0,
      body_encoding: 'base64',
      delivery_tag: init.tag,
    },
  });
}

/** The decoded body and redelivery flag of an envelope made by {@link kombuEnvelope}. */
export function readEnvelope(payload: string): { body: string; redelivered: boolean } {
  const envelope = JSON.parse(payload) as {
    body: string;
    headers?: { redelivered?: unknown };
    properties?: { delivery_info?: { redelivered?: unknown } };
  };
  return {
    body: Buffer.from(envelope.body, 'base64').toString('utf8'),
    redelivered: envelope.properties?.delivery_info?.redelivered === true,
  };
}
