/**
 * Celery's `EventDispatcher`: stamps events with the sender's `hostname`, `utcoffset`, `pid`, Lamport `clock` and
 * `timestamp`, and publishes them to the event exchange `celeryev` with the type as routing key (`task-succeeded` →
 * `task.succeeded`). Groups named in `bufferGroups` (the worker's `task`) are batched: their events wait in a
 * buffer that leaves as ONE message with routing key `<group>.multi` and an array body, on the next turn of the
 * event loop or once `bufferLimit` events wait (Celery flushes on its next loop iteration).
 *
 * `send` is synchronous and never throws: it runs three times per task, so it only builds the event object and
 * queues it. One drain loop publishes the queue in order; a failed publish is logged (at most one line per
 * {@link LOG_INTERVAL_MS}, with the count of what was lost since) and the events are dropped, never thrown. What
 * waits for publishing is capped (`maxPending`): events beyond the cap are dropped and counted.
 */
import type { LogicalClock, Logger, Transport } from '@q/core';
import { ConfigError, eventExchange, silentLogger, type ExchangeDeclaration, type TransportCapabilities } from '@q/core/adapter';
import { eventGroup, eventRoutingKey } from '../wire/event.js';
import { encodeEvents, type OutgoingEvent } from '../wire/event-message.js';
import { utcoffsetCache } from '../wire/utcoffset.js';

/** Events waiting for publishing beyond this are dropped (and counted) by default. */
export const DEFAULT_MAX_PENDING_EVENTS = 10_000;
/** Celery's `buffer_limit`: a buffered group is flushed once this many events wait. */
export const DEFAULT_EVENT_BUFFER_LIMIT = 24;
/** Publish failures and drops are logged at most once per this many ms (with the count since the last line). */
export const LOG_INTERVAL_MS = 10_000;

/** Options of {@link EventDispatcher}. */
export interface EventDispatcherOptions {
  /** The transport to publish on, or a getter (the app's connected transport), asked once per burst of events. */
  transport: Transport | (() => Promise<Transport>);
  /** The sender's node name (`w1@host`; clients `gen<pid>@<host>`): every event's `hostname` and the message header. */
  hostname: string;
  /** Stamps every event (`clock.forward()`). */
  clock: LogicalClock;
  logger?: Logger;
  /** Celery's `event_exchange` (default `celeryev`). */
  exchange?: string;
  /** Celery's `event_serializer`: only `json` is supported (anything else is a `ConfigError`). */
  serializer?: string;
  /** Groups to send (`task`, `worker`, …); `null`, empty or absent: every group. Celery's `groups`. */
  groups?: readonly string[] | null;
  /** Groups whose events are batched into `<group>.multi` messages (Celery's `buffer_group`; the worker's `['task']`). */
  bufferGroups?: readonly string[];
  /** Celery's `buffer_limit` (default 24). */
  bufferLimit?: number;
  /** Send at all (default true); see `enable()`/`disable()`. */
  enabled?: boolean;
  /** The `pid` field (default `process.pid`). */
  pid?: number;
  /** Epoch milliseconds (default `Date.now`), for tests. */
  now?: () => number;
  /** Events waiting for publishing beyond this many are dropped (default {@link DEFAULT_MAX_PENDING_EVENTS}). */
  maxPending?: number;
}

/**
 * The event exchange as declared on `transport`: `fanout` where fanout is the broker's pub/sub (Redis, as kombu
 * does), `topic` where topic exchanges work (AMQP, memory), `fanout` where only fanout does, and `null` when the
 * transport has neither (SQS): events then go nowhere.
 */
export function eventExchangeFor(capabilities: TransportCapabilities, name?: string): ExchangeDeclaration | null {
  const exchange = eventExchange(name === undefined ? {} : { eventExchange: name });
  if (capabilities.fanout && capabilities.pubsubFanout === true) return { ...exchange, type: 'fanout' };
  if (capabilities.topic) return exchange;
  if (capabilities.fanout) return { ...exchange, type: 'fanout' };
  return null;
}

/** A message waiting for publishing: one event, or a batch. */
interface Job {
  body: OutgoingEvent | OutgoingEvent[];
  routingKey: string;
  count: number;
}

/** What `send` knows about a type once it has seen it (cleared when the groups change). */
interface TypeInfo {
  allowed: boolean;
  routingKey: string;
  /** The buffer of its group, when the group is buffered. */
  buffer: GroupBuffer | null;
}

interface GroupBuffer {
  events: OutgoingEvent[];
  routingKey: string;
}

/** Celery's `EventDispatcher`; see the module comment. */
export class EventDispatcher {
  readonly #getTransport: () => Promise<Transport>;
  readonly #hostname: string;
  readonly #clock: LogicalClock;
  readonly #log: Logger;
  readonly #exchangeName: string;
  readonly #bufferLimit: number;
  readonly #maxPending: number;
  readonly #pid: number;
  readonly #now: () => number;
  readonly #utcoffset = utcoffsetCache();
  #groups: Set<string> | null;
  readonly #bufferGroups: Set<string>;
  readonly #buffers = new Map<string, GroupBuffer>();
  readonly #types = new Map<string, TypeInfo>();
  #enabled: boolean;
  #closed = false;
  #flushScheduled = false;
  #queue: Job[] = [];
  #pending = 0;
  #draining: Promise<void> | null = null;
  readonly #declared = new WeakMap<Transport, Promise<ExchangeDeclaration | null>>();
  /** Events lost since the last log line, and when that line was written. */
  #lost = 0;
  #lastLogAt = -Infinity;

  /** @throws ConfigError `Q_ERR_CONFIG_INVALID` for a serializer other than `json` or a bad `bufferLimit`/`maxPending`. */
  constructor(options: EventDispatcherOptions) {
    const serializer = options.serializer ?? 'json';
    if (serializer !== 'json') {
      throw new ConfigError('Q_ERR_CONFIG_INVALID', `events.serializer: ${JSON.stringify(serializer)} is not supported (q sends events as "json" only)`);
    }
    const bufferLimit = options.bufferLimit ?? DEFAULT_EVENT_BUFFER_LIMIT;
    if (!Number.isInteger(bufferLimit) || bufferLimit < 1) throw new ConfigError('Q_ERR_CONFIG_INVALID', `bufferLimit must be a positive integer (got ${bufferLimit})`);
    const maxPending = options.maxPending ?? DEFAULT_MAX_PENDING_EVENTS;
    if (!(maxPending >= 1)) throw new ConfigError('Q_ERR_CONFIG_INVALID', `maxPending must be at least 1 (got ${maxPending})`);
    const { transport } = options;
    this.#getTransport = typeof transport === 'function' ? transport : () => Promise.resolve(transport);
    this.#hostname = options.hostname;
    this.#clock = options.clock;
    this.#log = options.logger ?? silentLogger;
    this.#exchangeName = options.exchange ?? 'celeryev';
    this.#bufferLimit = bufferLimit;
    this.#maxPending = maxPending;
    this.#pid = options.pid ?? process.pid;
    this.#now = options.now ?? Date.now;
    // Celery: an empty list of groups means every group.
    this.#groups = options.groups === null || options.groups === undefined || options.groups.length === 0 ? null : new Set(options.groups);
    this.#bufferGroups = new Set(options.bufferGroups ?? []);
    this.#enabled = options.enabled ?? true;
  }

  /** The sender's node name. */
  get hostname(): string {
    return this.#hostname;
  }

  /** Whether `send` publishes (false after `disable()` or `close()`). */
  get enabled(): boolean {
    return this.#enabled && !this.#closed;
  }

  /** The groups sent, or `null` for every group. */
  get groups(): readonly string[] | null {
    return this.#groups === null ? null : [...this.#groups];
  }

  /** Sends events again (no effect after `close()`). */
  enable(): void {
    this.#enabled = true;
  }

  /** Makes `send` a no-op; events already buffered still go out. */
  disable(): void {
    this.#enabled = false;
    this.#scheduleFlush();
  }

  /**
   * Sends the events of `group` too (Celery's `enable_events` adds `task`). With every group already sent (`groups`
   * `null`) nothing changes.
   */
  addGroup(group: string): void {
    if (this.#groups === null || this.#groups.has(group)) return;
    this.#groups.add(group);
    this.#types.clear();
  }

  /**
   * Stops sending the events of `group` (Celery's `disable_events` removes `task`). With every group sent (`groups`
   * `null`) nothing changes, as in Celery (an empty set of groups means every group).
   */
  removeGroup(group: string): void {
    if (this.#groups === null || !this.#groups.delete(group)) return;
    if (this.#groups.size === 0) this.#groups = null;
    this.#types.clear();
  }

  /** Events dropped since the dispatcher started (publish failures, the `maxPending` cap, no transport support). */
  get dropped(): number {
    return this.#droppedTotal;
  }

  #droppedTotal = 0;

  /**
   * Sends event `type` with `fields`: stamped with `hostname`, `utcoffset`, `pid`, `clock` (forwarded) and, unless
   * `fields` has one, `timestamp` (float epoch seconds); `type` last. Synchronous, never throws; a no-op when
   * disabled, closed, or the type's group is not sent.
   */
  send(type: string, fields: Readonly<Record<string, unknown>> = {}): void {
    if (!this.#enabled || this.#closed) return;
    const info = this.#types.get(type) ?? this.#typeInfo(type);
    if (!info.allowed) return;
    const nowMs = this.#now();
    const utcoffset = this.#utcoffset(nowMs);
    const clock = this.#clock.forward();
    const event: Record<string, unknown> = { hostname: this.#hostname, utcoffset, pid: this.#pid, clock, ...fields };
    if (!('timestamp' in fields)) event['timestamp'] = nowMs / 1000;
    if ('hostname' in fields || 'utcoffset' in fields || 'pid' in fields || 'clock' in fields) {
      // Celery refuses these in `fields` (duplicate keyword arguments); here the stamps win.
      event['hostname'] = this.#hostname;
      event['utcoffset'] = utcoffset;
      event['pid'] = this.#pid;
      event['clock'] = clock;
    }
    event['type'] = type;
    const buffer = info.buffer;
    if (buffer === null) {
      this.#enqueue({ body: event as OutgoingEvent, routingKey: info.routingKey, count: 1 });
      return;
    }
    buffer.events.push(event as OutgoingEvent);
    if (buffer.events.length >= this.#bufferLimit) this.#flushBuffer(buffer);
    else this.#scheduleFlush();
  }

  /** Publishes every buffered event and resolves once everything sent so far was published (or dropped). */
  async flush(): Promise<void> {
    this.#flushBuffers();
    while (this.#draining) await this.#draining;
  }

  /** Flushes, then stops: later sends are no-ops. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
    this.#logLost(true);
  }

  #typeInfo(type: string): TypeInfo {
    const group = eventGroup(type);
    const allowed = this.#groups === null || this.#groups.has(group);
    let buffer: GroupBuffer | null = null;
    if (this.#bufferGroups.has(group)) {
      buffer = this.#buffers.get(group) ?? { events: [], routingKey: `${group}.multi` };
      this.#buffers.set(group, buffer);
    }
    const info: TypeInfo = { allowed, routingKey: eventRoutingKey(type), buffer };
    this.#types.set(type, info);
    return info;
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      this.#flushBuffers();
    });
  }

  #flushBuffers(): void {
    for (const buffer of this.#buffers.values()) if (buffer.events.length > 0) this.#flushBuffer(buffer);
  }

  #flushBuffer(buffer: GroupBuffer): void {
    const events = buffer.events;
    buffer.events = [];
    this.#enqueue({ body: events, routingKey: buffer.routingKey, count: events.length });
  }

  #enqueue(job: Job): void {
    if (this.#pending + job.count > this.#maxPending) {
      this.#drop(job.count, null, 'event publishing is behind: events dropped');
      return;
    }
    this.#pending += job.count;
    this.#queue.push(job);
    this.#draining ??= this.#drain();
  }

  /** Publishes the queue in order until it is empty. */
  async #drain(): Promise<void> {
    // Start on a later turn: every event sent in this turn goes out through one transport look-up.
    await Promise.resolve();
    try {
      while (this.#queue.length > 0) {
        let transport: Transport;
        let exchange: ExchangeDeclaration | null;
        try {
          transport = await this.#getTransport();
          exchange = await this.#declare(transport);
        } catch (err) {
          this.#dropQueued(err, 'event transport unavailable: events dropped');
          continue;
        }
        if (exchange === null) {
          this.#dropQueued(null, null);
          continue;
        }
        const jobs = this.#queue;
        this.#queue = [];
        // Every waiting message is handed to the transport at once, in order (a transport sends in call order:
        // one connection, pipelined), and awaited together: one round trip per burst, not one per message.
        await Promise.all(jobs.map((job) => this.#publish(transport, exchange, job)));
      }
    } finally {
      this.#draining = null;
    }
  }

  /** Publishes one job; it counts as pending until the transport settles it. Never rejects. */
  #publish(transport: Transport, exchange: ExchangeDeclaration, job: Job): Promise<void> {
    let published: Promise<void>;
    try {
      published = transport.publish(encodeEvents(job.body, this.#hostname), { exchange: exchange.name, exchangeType: exchange.type, routingKey: job.routingKey });
    } catch (err) {
      published = Promise.reject(err);
    }
    return published.then(
      () => {
        this.#pending -= job.count;
      },
      (err: unknown) => {
        this.#pending -= job.count;
        this.#drop(job.count, err, 'event publish failed: events dropped');
      },
    );
  }

  /** Declares the event exchange once per transport; `null` (after one warning) when the transport cannot carry events. */
  #declare(transport: Transport): Promise<ExchangeDeclaration | null> {
    let declared = this.#declared.get(transport);
    if (!declared) {
      const exchange = eventExchangeFor(transport.capabilities, this.#exchangeName);
      if (exchange === null) {
        this.#log.warn({ transport: transport.describe() }, 'the transport has neither fanout nor topic exchanges: events are not sent');
        declared = Promise.resolve(null);
      } else {
        declared = transport.declareExchange(exchange).then(() => exchange);
        declared.catch(() => this.#declared.delete(transport));
      }
      this.#declared.set(transport, declared);
    }
    return declared;
  }

  #dropQueued(err: unknown, msg: string | null): void {
    const jobs = this.#queue;
    this.#queue = [];
    let count = 0;
    for (const job of jobs) count += job.count;
    this.#pending -= count;
    if (msg === null) this.#droppedTotal += count;
    else this.#drop(count, err, msg);
  }

  #drop(count: number, err: unknown, msg: string): void {
    this.#droppedTotal += count;
    this.#lost += count;
    const now = this.#now();
    if (now - this.#lastLogAt < LOG_INTERVAL_MS) return;
    this.#lastLogAt = now;
    this.#log.warn(err === null ? { dropped: this.#lost } : { err, dropped: this.#lost }, msg);
    this.#lost = 0;
  }

  #logLost(final: boolean): void {
    if (this.#lost === 0) return;
    this.#log.warn({ dropped: this.#lost, final }, 'events dropped since the last warning');
    this.#lost = 0;
  }
}
