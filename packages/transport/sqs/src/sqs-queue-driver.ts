/**
 * kombu's SQS transport as a q {@link QueueDriver}: the same queue names, message bodies (base64 of kombu's JSON
 * envelope) and queue attributes as Python Celery, so Python and q workers can share queues. Sends, deletes and
 * visibility changes issued in one turn of the event loop go out as batch requests; a reserve of more than 10
 * messages issues its receives in parallel; an idle reserve joins a long poll that outlives it (what a poll brings
 * in after its reserve gave up waits for the next reserve, or is made visible again after a few seconds).
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { GetQueueAttributesCommand, PurgeQueueCommand, ReceiveMessageCommand, SendMessageCommand, type Message } from '@aws-sdk/client-sqs';
import type { QueueDriver } from '@q/core';
import type { Lease, PutOptions, QueueDriverCapabilities, RejectReason, ReserveOptions } from '@q/core/adapter';
import { ConnectionError } from '@q/core';
import { TickBatcher } from '@q/core/adapter';
import { encodeBody, fifoIds, leasePayload } from './body-codec.js';
import { maskSqsUrl, resolveSqsOptions, type ResolvedSqsOptions, type SqsQueueDriverOptions } from './options.js';
import { QueueDirectory, type QueueRef } from './queue-directory.js';
import { flushDeletes, flushSends, flushVisibility, MAX_BATCH_ENTRIES, type ReceiptItem, type SendItem } from './sqs-batches.js';
import { SqsClients } from './sqs-clients.js';
import { guarded, toQError } from './sqs-errors.js';

/** What the SQS driver supports (data, checked by `@q/conformance`). */
export const SQS_DRIVER_CAPABILITIES: QueueDriverCapabilities = Object.freeze({
  priorities: 'none',
  nativeDelay: Object.freeze({ maxDelayMs: 900_000 }),
  fanout: false,
  blockingReserve: true,
  persistentBindings: false,
});

/** Messages a long poll brought in after its reserve gave up are made visible again after this long unclaimed. */
const STASH_TTL_MS = 5000;
/** SQS caps the total invisibility of a received message at 12 hours. */
const REFUSED_EXTENSION = /beyond the limit|43200|12 hours/i;

interface Poll {
  readonly done: Promise<void>;
}

interface Held {
  readonly lease: Lease;
  readonly ref: QueueRef;
  /** The MessageBody as received (sent as is to a dead-letter queue). */
  readonly body: string;
}

/** A cancellable sleep that also ends when `signal` aborts. */
function pause(ms: number, signal: AbortSignal | undefined): { done: Promise<void>; cancel: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort = (): void => undefined;
  const done = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    onAbort = () => resolve();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  return {
    done,
    cancel: () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}

const isAbort = (err: unknown): boolean => err instanceof Error && (err.name === 'AbortError' || /aborted/i.test(err.message));

/** Create an SQS queue driver (unconnected). @throws ConfigError for bad options or URL. */
export function sqsQueueDriver(options: SqsQueueDriverOptions | string = {}): SqsQueueDriver {
  return new SqsQueueDriver(resolveSqsOptions(options));
}

/** The SQS queue driver. Use {@link sqsQueueDriver} or `sqsTransport()`. */
export class SqsQueueDriver implements QueueDriver {
  readonly capabilities = SQS_DRIVER_CAPABILITIES;
  readonly options: ResolvedSqsOptions;
  readonly #clients: SqsClients;
  readonly #queues: QueueDirectory;
  readonly #where: string;
  readonly #sends = new TickBatcher<SendItem>(flushSends);
  readonly #deletes = new TickBatcher<ReceiptItem>(flushDeletes);
  readonly #visibility = new TickBatcher<ReceiptItem>(flushVisibility);
  /** Messages received and neither deleted nor made visible again, by receipt handle. */
  readonly #held = new Map<string, Held>();
  /** Received, not handed out yet, by kombu queue. */
  readonly #stash = new Map<string, Lease[]>();
  /** The long poll under way per kombu queue. */
  readonly #polls = new Map<string, Poll>();
  readonly #abort = new AbortController();
  readonly #refusedExtension = new Set<string>();
  /** Queues whose last fetch came back full: the next one fans out. */
  readonly #busy = new Set<string>();
  #closed = false;

  constructor(options: ResolvedSqsOptions) {
    this.options = options;
    this.#where = options.endpoint ?? `AWS SQS (region ${options.region ?? 'from the default chain'})`;
    // Every request under way listens to this one signal (⌈prefetch/10⌉ receives, batches): no leak warning at 11.
    setMaxListeners(0, this.#abort.signal);
    this.#clients = new SqsClients(options);
    this.#queues = new QueueDirectory(options, this.#clients, this.#where);
  }

  describe(): string {
    return `sqs transport ${maskSqsUrl(this.options.url)}${this.options.endpoint ? ` (${this.options.endpoint})` : ''}`;
  }

  /** Lists the queues with the prefix (or checks the predefined ones): a credential error is final and named. */
  async connect(): Promise<void> {
    if (this.#closed) throw new ConnectionError('Q_ERR_CONNECTION_LOST', `${this.describe()} is closed`, { retryable: false });
    await this.#queues.load();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // A long poll cannot be cancelled on the server: aborting it here would lose what SQS hands to the dropped
    // request (invisible for a whole visibility timeout). So the polls under way are awaited (they end within
    // wait_time_seconds), and what they bring in is made visible again below; only an unresponsive endpoint is cut off.
    const polls = [...this.#polls.values()].map((p) => p.done);
    const limit = pause((this.options.waitTimeSeconds + 5) * 1000, undefined);
    await Promise.race([Promise.allSettled(polls), limit.done]);
    limit.cancel();
    this.#abort.abort();
    await Promise.allSettled(polls);
    await Promise.all([this.#sends.drain(), this.#deletes.drain()]);
    this.#stash.clear();
    const held = [...this.#held.values()];
    this.#held.clear();
    if (held.length > 0) this.options.logger.info({ count: held.length }, 'making unacknowledged SQS messages visible again');
    await Promise.all(
      held.map((h) =>
        this.#visibility.add({ ref: h.ref, receipt: h.lease.tag, timeout: 0 }).catch((err: unknown) => this.options.logger.error({ err, queue: h.lease.queue }, 'requeue failed')),
      ),
    );
    await this.#visibility.drain();
    this.#clients.destroy();
  }

  async put(queue: string, payload: string, options: PutOptions): Promise<void> {
    const ref = await this.#queues.ref(queue);
    const entry: SendItem['entry'] = { MessageBody: encodeBody(payload, this.options.base64Encoding) };
    if (ref.fifo) Object.assign(entry, fifoIds(payload, randomUUID));
    else if (options.delayMs !== undefined && options.delayMs > 0) entry.DelaySeconds = Math.min(900, Math.ceil(options.delayMs / 1000));
    await this.#sends.add({ ref, entry });
  }

  async reserve(queues: readonly string[], options: ReserveOptions): Promise<Lease[]> {
    if (this.#closed || queues.length === 0) return [];
    const max = Math.max(1, Math.trunc(options.max));
    const ready = this.#take(queues, max);
    if (ready.length > 0) return ready;
    const wait = this.options.waitTimeSeconds;
    if (options.waitMs <= 0 || wait === 0) {
      const deadline = Date.now() + Math.max(0, options.waitMs);
      for (;;) {
        for (const queue of queues) {
          await this.#fetch(queue, max, 0);
          const got = this.#take([queue], max);
          if (got.length > 0) return got;
        }
        const remaining = deadline - Date.now();
        if (remaining <= 0 || this.#closed || options.signal?.aborted) return [];
        const p = pause(Math.min(remaining, this.options.pollingIntervalMs), options.signal);
        await p.done;
        p.cancel();
      }
    }
    const deadline = Date.now() + options.waitMs;
    while (!this.#closed && !options.signal?.aborted) {
      for (const queue of queues) if (!this.#polls.has(queue)) this.#startPoll(queue, max, wait);
      const got = this.#take(queues, max);
      if (got.length > 0) return got;
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      const p = pause(remaining, options.signal);
      try {
        await Promise.race([p.done, ...queues.map((q) => this.#polls.get(q)?.done).filter((x): x is Promise<void> => x !== undefined)]);
      } finally {
        p.cancel();
      }
      const after = this.#take(queues, max);
      if (after.length > 0) return after;
    }
    return [];
  }

  /** A long poll of `queue` shared by the reserves waiting on it; what it receives goes to the stash. */
  #startPoll(queue: string, max: number, waitSeconds: number): void {
    const done = this.#fetch(queue, max, waitSeconds).then((leases) => {
      if (leases.length > 0) setTimeout(() => this.#expire(queue, leases), STASH_TTL_MS).unref?.();
    });
    const poll: Poll = { done };
    this.#polls.set(queue, poll);
    void done
      .catch(() => undefined)
      .finally(() => {
        if (this.#polls.get(queue) === poll) this.#polls.delete(queue);
      });
  }

  /** Makes the stashed leases of `leases` nobody claimed visible again. */
  #expire(queue: string, leases: readonly Lease[]): void {
    if (this.#closed) return;
    const stash = this.#stash.get(queue);
    if (!stash) return;
    const unclaimed = new Set(leases.filter((l) => stash.includes(l)));
    if (unclaimed.size === 0) return;
    this.#stash.set(queue, stash.filter((l) => !unclaimed.has(l)));
    for (const l of unclaimed) void this.release(l).catch((err: unknown) => this.options.logger.warn({ err, queue }, 'requeue of an unclaimed message failed'));
  }

  /** Up to `max` stashed leases, from the queues in the order given. */
  #take(queues: readonly string[], max: number): Lease[] {
    const out: Lease[] = [];
    for (const queue of queues) {
      const stash = this.#stash.get(queue);
      if (!stash || stash.length === 0) continue;
      out.push(...stash.splice(0, max - out.length));
      if (out.length >= max) break;
    }
    return out;
  }

  /**
   * Receives up to `max` messages of `queue` into the stash: ⌈max/10⌉ requests in parallel (the first one
   * long-polling) while the queue's last fetch came back full, else one request of at most 10, so an idle or slow
   * queue costs one ReceiveMessage per poll, not one per ten messages of the prefetch window.
   */
  async #fetch(queue: string, max: number, waitSeconds: number): Promise<Lease[]> {
    const ref = await this.#queues.ref(queue);
    const wanted = this.#busy.has(queue) ? max : Math.min(max, MAX_BATCH_ENTRIES);
    const requests = Math.ceil(wanted / MAX_BATCH_ENTRIES);
    const batches = await Promise.all(
      Array.from({ length: requests }, (_, i) => this.#receive(ref, Math.min(MAX_BATCH_ENTRIES, wanted - i * MAX_BATCH_ENTRIES), i === 0 ? waitSeconds : 0)),
    );
    if (batches.flat().length >= wanted) this.#busy.add(queue);
    else this.#busy.delete(queue);
    const leases: Lease[] = [];
    for (const message of batches.flat()) {
      if (message.ReceiptHandle === undefined) continue;
      const body = message.Body ?? '';
      const count = Number(message.Attributes?.ApproximateReceiveCount ?? '1');
      const lease: Lease = { queue, payload: leasePayload(body, count), tag: message.ReceiptHandle };
      this.#held.set(lease.tag, { lease, ref, body });
      leases.push(lease);
    }
    if (leases.length > 0) {
      const stash = this.#stash.get(queue);
      if (stash) stash.push(...leases);
      else this.#stash.set(queue, [...leases]);
    }
    return leases;
  }

  async #receive(ref: QueueRef, max: number, waitSeconds: number): Promise<Message[]> {
    if (this.#abort.signal.aborted) return [];
    try {
      const out = await ref.client.send(
        new ReceiveMessageCommand({
          QueueUrl: ref.url,
          MaxNumberOfMessages: max,
          WaitTimeSeconds: waitSeconds,
          VisibilityTimeout: Math.ceil(this.options.visibilityTimeoutMs / 1000),
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        }),
        { abortSignal: this.#abort.signal },
      );
      return out.Messages ?? [];
    } catch (err) {
      if (this.#abort.signal.aborted && isAbort(err)) return [];
      throw toQError(err, 'ReceiveMessage', this.#where);
    }
  }

  async #refOf(lease: Lease): Promise<QueueRef> {
    return this.#held.get(lease.tag)?.ref ?? (await this.#queues.ref(lease.queue));
  }

  async ack(lease: Lease): Promise<void> {
    const ref = await this.#refOf(lease);
    this.#held.delete(lease.tag);
    await this.#deletes.add({ ref, receipt: lease.tag });
  }

  async release(lease: Lease): Promise<void> {
    const ref = await this.#refOf(lease);
    this.#held.delete(lease.tag);
    await this.#visibility.add({ ref, receipt: lease.tag, timeout: 0 });
  }

  /**
   * Keeps a held message invisible for another visibility timeout. SQS refuses to keep a message invisible for
   * more than 12 hours after its receipt: that refusal is logged (warn, once per message), not thrown.
   */
  async extendLease(lease: Lease): Promise<void> {
    const held = this.#held.get(lease.tag);
    if (!held || this.#refusedExtension.has(lease.tag)) return;
    try {
      await this.#visibility.add({ ref: held.ref, receipt: lease.tag, timeout: Math.ceil(this.options.visibilityTimeoutMs / 1000) });
    } catch (err) {
      const cause = err instanceof Error ? err.cause : undefined;
      if (!REFUSED_EXTENSION.test(cause instanceof Error ? cause.message : '')) throw err;
      this.#refusedExtension.add(lease.tag);
      this.options.logger.warn(
        { queue: lease.queue },
        'SQS refused to extend the visibility of a held message: a message cannot stay invisible for more than 12 hours after it was received; it will be redelivered',
      );
    }
  }

  /**
   * A rejected or malformed message: moved to the queue's dead-letter queue (RedrivePolicy) now; without one, a
   * rejected message is deleted and a malformed one is left to reappear after the visibility timeout.
   */
  async reject(lease: Lease, reason: RejectReason): Promise<void> {
    const held = this.#held.get(lease.tag);
    const ref = held?.ref ?? (await this.#queues.ref(lease.queue));
    this.#held.delete(lease.tag);
    const dlq = await this.#queues.deadLetter(lease.queue);
    const log = this.options.logger;
    if (dlq) {
      const body = held?.body ?? encodeBody(lease.payload, this.options.base64Encoding);
      await guarded('SendMessage', this.#where, () =>
        ref.client.send(new SendMessageCommand({ QueueUrl: dlq.url, MessageBody: body, ...(dlq.name.endsWith('.fifo') ? fifoIds(lease.payload, randomUUID) : {}) })),
      );
      await this.#deletes.add({ ref, receipt: lease.tag });
      log.warn({ queue: lease.queue, deadLetterQueue: dlq.name, reason: reason.kind, detail: reason.detail }, `message ${reason.kind}: moved to dead-letter queue ${dlq.name}`);
      return;
    }
    if (reason.kind === 'malformed') {
      log.error(
        { queue: lease.queue, reason: reason.kind, detail: reason.detail },
        'malformed message left in the SQS queue: it reappears after the visibility timeout; a redrive policy (deadLetterQueue) would dead-letter it',
      );
      return;
    }
    await this.#deletes.add({ ref, receipt: lease.tag });
    log.warn({ queue: lease.queue, reason: reason.kind, detail: reason.detail }, 'message rejected without requeue and no dead-letter queue: deleted');
  }

  /** Counts (ApproximateNumberOfMessages) then purges the queue. SQS allows one PurgeQueue per queue every 60 s. */
  async purge(queue: string): Promise<number> {
    const ref = await this.#queues.existing(queue);
    if (!ref) return 0;
    const count = await this.#count(ref);
    await guarded('PurgeQueue', this.#where, () => ref.client.send(new PurgeQueueCommand({ QueueUrl: ref.url })));
    return count;
  }

  /** ApproximateNumberOfMessages (0 for a queue that does not exist). */
  async size(queue: string): Promise<number> {
    const ref = await this.#queues.existing(queue);
    return ref ? this.#count(ref) : 0;
  }

  async #count(ref: QueueRef): Promise<number> {
    const out = await guarded('GetQueueAttributes', this.#where, () =>
      ref.client.send(new GetQueueAttributesCommand({ QueueUrl: ref.url, AttributeNames: ['ApproximateNumberOfMessages'] })),
    );
    return Number(out.Attributes?.['ApproximateNumberOfMessages'] ?? 0);
  }
}
