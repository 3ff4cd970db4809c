/**
 * The small, lease-based queue driver contract (tier 2), for stores like Redis, SQS or the filesystem.
 * The core lifts a driver into a full {@link Transport} with `virtualTransport()`: it encodes kombu's
 * JSON envelope, emulates exchanges and bindings, and runs the consume loop with prefetch.
 *
 * Payloads are kombu envelopes (JSON strings). A lease gives at-least-once delivery by construction:
 * a payload reserved and never acked comes back (immediately on `release`, or after the visibility timeout).
 */

/** A store's own delayed delivery: `false`, or the longest delay it takes. */
export type NativeDelay = false | { readonly maxDelayMs: number };

/** What a driver supports. */
export interface QueueDriverCapabilities {
  /** `steps`: kombu's 0/3/6/9 sub-queues (0 served first); `none`: FIFO only. */
  priorities: 'steps' | 'none';
  /**
   * `put` honours `delayMs` itself, up to `maxDelayMs` (SQS: 15 minutes): the message is not reserved before
   * then. `false`: the driver has no delay; ETA tasks are held by the worker that receives them.
   */
  nativeDelay: NativeDelay;
  /** The driver broadcasts with `fanoutPublish`/`subscribe` (Redis PUBLISH). Otherwise the core emulates fanout by binding lookup. */
  fanout: boolean;
  /** `reserve` can block until a message arrives (otherwise the core polls). */
  blockingReserve: boolean;
  /** Bindings are persisted by the driver (`bind`/`bindings`), so other processes see them. */
  persistentBindings: boolean;
}

/** A reserved message. */
export interface Lease {
  /** Queue it was reserved from (the logical name, without priority suffix). */
  readonly queue: string;
  /** The envelope as stored. */
  readonly payload: string;
  /** The envelope's `properties.delivery_tag` (or the driver's receipt handle). */
  readonly tag: string;
}

/** Options of `put`. */
export interface PutOptions {
  /** 0–9; mapped to sub-queues by drivers with `priorities: 'steps'`. */
  priority: number;
  /** The envelope's delivery tag. */
  tag: string;
  /** Delay delivery by this many ms (≤ `nativeDelay.maxDelayMs`); only given to drivers that declare `nativeDelay`. */
  delayMs?: number;
}

/** Options of `reserve`. */
export interface ReserveOptions {
  /** Maximum messages to return (≥ 1). */
  max: number;
  /** How long to wait for the first message (0 = do not wait). */
  waitMs: number;
  /** Abort a blocking wait (shutdown). */
  signal?: AbortSignal;
}

/** Why a message is settled with {@link QueueDriver.reject}. */
export interface RejectReason {
  /** `rejected`: the handler rejected it without requeue; `malformed`: it is not a kombu envelope the core can read. */
  readonly kind: 'rejected' | 'malformed';
  /** What went wrong, for the log. */
  readonly detail: string;
}

/** A persisted binding. */
export interface StoredBinding {
  routingKey: string;
  pattern: string;
  queue: string;
}

/** Tier-2 queue driver. */
export interface QueueDriver {
  readonly capabilities: QueueDriverCapabilities;
  connect(): Promise<void>;
  /** Close; leases still held are released (requeued) first. */
  close(): Promise<void>;
  put(queue: string, payload: string, options: PutOptions): Promise<void>;
  /** Reserve up to `max` messages from the first non-empty queues, in the order given. */
  reserve(queues: readonly string[], options: ReserveOptions): Promise<Lease[]>;
  ack(lease: Lease): Promise<void>;
  /** Put a leased message back, marked redelivered, so it is delivered next. */
  release(lease: Lease): Promise<void>;
  purge(queue: string): Promise<number>;
  /**
   * Settle a message rejected without requeue, or one the core cannot decode, the store's own way (SQS: move it to
   * the queue's dead-letter queue). Without this member the core acks (deletes) such messages, logging the reason.
   */
  reject?(lease: Lease, reason: RejectReason): Promise<void>;
  size?(queue: string): Promise<number>;
  /** Keep a lease alive (ETA tasks held longer than the visibility timeout). */
  extendLease?(lease: Lease): Promise<void>;
  bind?(exchange: string, binding: StoredBinding): Promise<void>;
  bindings?(exchange: string): Promise<StoredBinding[]>;
  fanoutPublish?(exchange: string, routingKey: string, payload: string): Promise<void>;
  /** Subscribe to a fanout exchange; `pattern` is a routing-key pattern (`worker.#`). Returns an unsubscribe function. */
  subscribe?(exchange: string, pattern: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  /** URL with the password masked. */
  describe(): string;
}
