/**
 * The settlements (acks, rejects) of one consuming channel, sent once per tick instead of one frame each.
 *
 * A worker settles many deliveries in the same tick (early acks of the tasks a batch of deliveries started). The
 * settler collects them and, at the end of the tick (`process.nextTick`, before amqplib writes the tick's frames),
 * sends:
 * 1. every reject (`basic.reject`, requeue or not) on its own, in the order they were settled;
 * 2. the acks that cover the oldest unsettled deliveries of the channel as ONE `basic.ack` with `multiple=true`
 *    for the highest delivery tag of that run: only when every delivery of the channel that is still unsettled,
 *    from the oldest up to that tag, is acked in this tick (the rejects just sent no longer count). A delivery that
 *    stays unsettled ends the run: a multiple ack never covers it;
 * 3. the other acks one by one (`multiple=false`), in the order they were settled.
 *
 * Delivery tags of a channel start at 1 and grow by one with each delivery; the settler is told of every delivery
 * (`received`) before it can be settled. If a tag is ever skipped (a delivery the settler did not see), no multiple
 * ack of the channel reaches it; if one comes out of order, the channel gets no multiple acks at all. Settling a
 * delivery twice, or one the settler does not hold, does nothing.
 */
import type { Channel, Message } from 'amqplib';

/** How a delivery is settled. */
export type Settlement = 'ack' | 'requeue' | 'reject';

/** What the settler sends on: an amqplib channel (a fake in tests). */
export type SettleChannel = Pick<Channel, 'ack' | 'reject'>;

/** Called once the settlement was handed to the channel (`null`), or with the error that prevented it. */
export type Settled = (err: unknown) => void;

interface Pending {
  readonly raw: Message;
  readonly tag: number;
  readonly how: Settlement;
  readonly done: Settled;
}

/** Batches the settlements of one channel per tick. */
export class ChannelSettler {
  /** The channel the settlements go to. */
  readonly channel: SettleChannel;
  /** Delivery tags received and not settled on the channel yet, in ascending order (the order they arrived). */
  readonly #unsettled = new Set<number>();
  /** Tags settled in this tick, not sent yet. */
  readonly #pendingTags = new Set<number>();
  #pending: Pending[] = [];
  #last = 0;
  /** The lowest tag the channel delivered without the settler seeing it: no multiple ack reaches it. */
  #blind = Number.POSITIVE_INFINITY;
  #scheduled = false;

  constructor(channel: SettleChannel) {
    this.channel = channel;
  }

  /** Deliveries received and not settled on the channel yet. */
  get unsettled(): number {
    return this.#unsettled.size;
  }

  /** Records a delivery of the channel (before it can be settled). */
  received(tag: number): void {
    if (tag !== this.#last + 1) this.#blind = Math.min(this.#blind, tag > this.#last ? this.#last + 1 : 0);
    if (tag > this.#last) this.#last = tag;
    this.#unsettled.add(tag);
  }

  /**
   * Settles the delivery `raw` at the end of the tick; `done` is told whether it reached the channel. A delivery
   * already settled (or never received) is ignored and `done` not called.
   */
  settle(raw: Message, how: Settlement, done: Settled): void {
    const tag = raw.fields.deliveryTag;
    if (!this.#unsettled.has(tag) || this.#pendingTags.has(tag)) return;
    this.#pendingTags.add(tag);
    this.#pending.push({ raw, tag, how, done });
    if (!this.#scheduled) {
      this.#scheduled = true;
      process.nextTick(() => this.flush());
    }
  }

  /** Sends the settlements of this tick now (also called before the channel is closed). */
  flush(): void {
    this.#scheduled = false;
    const batch = this.#pending;
    if (batch.length === 0) return;
    this.#pending = [];
    this.#pendingTags.clear();
    const acks = new Map<number, Pending>();
    for (const p of batch) {
      if (p.how === 'ack') acks.set(p.tag, p);
      else this.#send([p], () => this.channel.reject(p.raw, p.how === 'requeue'));
    }
    if (acks.size === 0) return;
    const run: Pending[] = [];
    for (const tag of this.#unsettled) {
      const p = tag < this.#blind ? acks.get(tag) : undefined;
      if (!p) break;
      run.push(p);
    }
    const top = run[run.length - 1];
    if (top && run.length > 1) {
      for (const p of run) acks.delete(p.tag);
      this.#send(run, () => this.channel.ack(top.raw, true));
    }
    for (const p of batch) {
      if (p.how === 'ack' && acks.has(p.tag)) this.#send([p], () => this.channel.ack(p.raw, false));
    }
  }

  #send(settled: readonly Pending[], write: () => void): void {
    let err: unknown = null;
    try {
      write();
      for (const p of settled) this.#unsettled.delete(p.tag);
    } catch (e) {
      err = e ?? new Error('settlement failed');
    }
    for (const p of settled) p.done(err);
  }
}
