/**
 * The transport-neutral message: what kombu calls a Message. Bodies are bytes that a serializer produced
 * (and a codec may have compressed); transports move them without looking inside.
 */

/** AMQP-style message properties, camelCased. Wire names are mapped in `protocol/`. */
export interface MessageProperties {
  /** Task id for task messages; the rpc backend's correlation id for results. */
  correlationId?: string;
  /** Name of the queue replies go to (the client's oid). */
  replyTo?: string;
  /** 2 = persistent, 1 = transient. */
  deliveryMode?: 1 | 2;
  /** 0–255 on AMQP; 0–9 on virtual transports. */
  priority?: number;
  /** Per-message TTL as a string of milliseconds (AMQP `expiration`). */
  expiration?: string;
  /** Properties this version does not model, kept verbatim (e.g. `replaced_task_nesting`). */
  extra?: Record<string, unknown>;
}

/** A message to publish or a message received. */
export interface Message {
  /** Serialized (and possibly compressed) payload. */
  body: Uint8Array;
  /** e.g. `application/json`. */
  contentType: string;
  /** e.g. `utf-8` (or `binary`). */
  contentEncoding: string;
  /** Message headers (task headers for protocol v2). */
  headers: Record<string, unknown>;
  properties: MessageProperties;
}

/** Where a message was published to, as the broker reports it. */
export interface DeliveryInfo {
  exchange: string;
  routingKey: string;
  /** True when the broker delivers the message a second time. */
  redelivered: boolean;
  /** The queue the message was consumed from. */
  queue: string;
  /** Transport-specific handle (AMQP delivery tag, kombu delivery_tag, SQS receipt handle). */
  deliveryTag: string;
  /** The message priority as delivered. */
  priority?: number;
}

/** A received message that must be settled exactly once. */
export interface Delivery {
  readonly message: Message;
  readonly info: DeliveryInfo;
  /**
   * `true` once the delivery can no longer be settled because the broker already took the message back (AMQP: its
   * channel or connection closed before the ack) and will deliver it again; a worker must not run it (a held ETA
   * task, say) or it would run twice. Transports that cannot tell leave it `undefined`.
   */
  readonly lost?: boolean;
  /** Acknowledge: the broker forgets the message. */
  ack(): Promise<void>;
  /** Reject: `requeue: true` puts it back for another consumer, `false` drops or dead-letters it. */
  nack(options: { requeue: boolean }): Promise<void>;
}
