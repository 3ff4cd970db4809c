/** Acks and rejects of a tick: one multiple ack over the oldest unsettled run, everything else one by one. */
import type { ConsumeMessage, Message } from 'amqplib';
import type { Logger } from '@q/core';
import { silentLogger } from '@q/core';
import { describe, expect, it, vi } from 'vitest';
import { ChannelSettler, type SettleChannel } from './channel-settler.js';
import { AmqpDelivery } from './delivery.js';

type Frame = ['ack', number, boolean] | ['reject', number, boolean];

/** A channel that records the frames it is given; `closed` makes it throw as amqplib's closed channel does. */
function fakeChannel(): SettleChannel & { frames: Frame[]; closed: boolean } {
  const ch = {
    frames: [] as Frame[],
    closed: false,
    ack(message: Message, allUpTo?: boolean): void {
      if (ch.closed) throw new Error('Channel closed');
      ch.frames.push(['ack', message.fields.deliveryTag, allUpTo === true]);
    },
    reject(message: Message, requeue?: boolean): void {
      if (ch.closed) throw new Error('Channel closed');
      ch.frames.push(['reject', message.fields.deliveryTag, requeue !== false]);
    },
  };
  return ch;
}

const raw = (tag: number): ConsumeMessage =>
  ({
    content: Buffer.from(`m${tag}`),
    fields: { deliveryTag: tag, redelivered: false, exchange: '', routingKey: 'q', consumerTag: 'c' },
    properties: { contentType: 'text/plain', contentEncoding: 'utf-8', headers: {} },
  }) as unknown as ConsumeMessage;

const tick = (): Promise<void> => new Promise((resolve) => process.nextTick(resolve));

/** A settler whose channel delivered tags 1..n. */
function settlerWith(n: number): { ch: ReturnType<typeof fakeChannel>; settler: ChannelSettler; done: (tag: number) => (err: unknown) => void; results: Map<number, unknown> } {
  const ch = fakeChannel();
  const settler = new ChannelSettler(ch);
  for (let tag = 1; tag <= n; tag++) settler.received(tag);
  const results = new Map<number, unknown>();
  return { ch, settler, results, done: (tag) => (err) => void results.set(tag, err) };
}

describe('ChannelSettler', () => {
  it('sends nothing in the tick of the settlement, then one multiple ack for a run from the oldest unsettled delivery', async () => {
    const { ch, settler, done, results } = settlerWith(5);
    for (const tag of [1, 2, 3, 4]) settler.settle(raw(tag), 'ack', done(tag));
    expect(ch.frames).toEqual([]);
    await tick();
    expect(ch.frames).toEqual([['ack', 4, true]]);
    expect([...results]).toEqual([[1, null], [2, null], [3, null], [4, null]]);
    expect(settler.unsettled).toBe(1);
  });

  it('never lets a multiple ack cover an unsettled delivery: acks past it go one by one', async () => {
    const { ch, settler, done } = settlerWith(6);
    for (const tag of [5, 1, 2, 4]) settler.settle(raw(tag), 'ack', done(tag));
    await tick();
    // 3 and 6 are unsettled: 1-2 as one multiple ack, 5 and 4 alone in the order they were settled.
    expect(ch.frames).toEqual([['ack', 2, true], ['ack', 5, false], ['ack', 4, false]]);
    settler.settle(raw(3), 'ack', done(3));
    await tick();
    expect(ch.frames.slice(3)).toEqual([['ack', 3, false]]);
    expect(settler.unsettled).toBe(1);
  });

  it('acks one by one when the oldest delivery stays unsettled', async () => {
    const { ch, settler, done } = settlerWith(4);
    for (const tag of [2, 3, 4]) settler.settle(raw(tag), 'ack', done(tag));
    await tick();
    expect(ch.frames).toEqual([['ack', 2, false], ['ack', 3, false], ['ack', 4, false]]);
  });

  it('continues the run after deliveries settled in earlier ticks', async () => {
    const { ch, settler, done } = settlerWith(6);
    settler.settle(raw(1), 'ack', done(1));
    await tick();
    for (const tag of [2, 3, 4]) settler.settle(raw(tag), 'ack', done(tag));
    await tick();
    expect(ch.frames).toEqual([['ack', 1, false], ['ack', 4, true]]);
  });

  it('sends rejects on their own, in order and before the acks, so a multiple ack never covers them', async () => {
    const { ch, settler, done } = settlerWith(6);
    settler.settle(raw(1), 'ack', done(1));
    settler.settle(raw(4), 'requeue', done(4));
    settler.settle(raw(2), 'ack', done(2));
    settler.settle(raw(3), 'reject', done(3));
    settler.settle(raw(5), 'ack', done(5));
    await tick();
    // 3 and 4 are settled by their rejects first; 1, 2 and 5 are then the oldest unsettled: one multiple ack.
    expect(ch.frames).toEqual([['reject', 4, true], ['reject', 3, false], ['ack', 5, true]]);
    expect(settler.unsettled).toBe(1);
  });

  it('keeps a reject of an older delivery out of a later run', async () => {
    const { ch, settler, done } = settlerWith(4);
    settler.settle(raw(3), 'ack', done(3));
    settler.settle(raw(4), 'ack', done(4));
    settler.settle(raw(2), 'requeue', done(2));
    await tick();
    // 1 is unsettled: no multiple ack at all.
    expect(ch.frames).toEqual([['reject', 2, true], ['ack', 3, false], ['ack', 4, false]]);
  });

  it('ignores a second settlement of a delivery, in the same tick or later', async () => {
    const { ch, settler, done, results } = settlerWith(2);
    settler.settle(raw(1), 'ack', done(1));
    settler.settle(raw(1), 'requeue', done(1));
    await tick();
    settler.settle(raw(1), 'ack', done(1));
    settler.settle(raw(99), 'ack', done(99));
    await tick();
    expect(ch.frames).toEqual([['ack', 1, false]]);
    expect([...results.keys()]).toEqual([1]);
  });

  it('sends no multiple ack over a delivery tag it did not see', async () => {
    const ch = fakeChannel();
    const settler = new ChannelSettler(ch);
    const done = (): void => undefined;
    for (const tag of [1, 2, 4, 5]) settler.received(tag);
    for (const tag of [1, 2, 4, 5]) settler.settle(raw(tag), 'ack', done);
    await tick();
    expect(ch.frames).toEqual([['ack', 2, true], ['ack', 4, false], ['ack', 5, false]]);
  });

  it('sends no multiple ack at all once a delivery tag came out of order', async () => {
    const ch = fakeChannel();
    const settler = new ChannelSettler(ch);
    const done = (): void => undefined;
    for (const tag of [1, 2, 3, 2]) settler.received(tag);
    for (const tag of [1, 2, 3]) settler.settle(raw(tag), 'ack', done);
    await tick();
    expect(ch.frames).toEqual([['ack', 1, false], ['ack', 2, false], ['ack', 3, false]]);
  });

  it('flush() sends the pending settlements at once (before a close)', () => {
    const { ch, settler, done } = settlerWith(2);
    settler.settle(raw(1), 'ack', done(1));
    settler.settle(raw(2), 'ack', done(2));
    settler.flush();
    expect(ch.frames).toEqual([['ack', 2, true]]);
  });

  it('reports the error to every settlement the closed channel refused, and keeps them unsettled', async () => {
    const { ch, settler, done, results } = settlerWith(3);
    ch.closed = true;
    settler.settle(raw(1), 'ack', done(1));
    settler.settle(raw(2), 'ack', done(2));
    settler.settle(raw(3), 'reject', done(3));
    await tick();
    expect([...results.values()].map((e) => (e as Error).message)).toEqual(['Channel closed', 'Channel closed', 'Channel closed']);
    expect(settler.unsettled).toBe(3);
  });
});

describe('AmqpDelivery settling through the settler', () => {
  const delivery = (settler: ChannelSettler, tag: number, live: () => boolean, logger: Logger = silentLogger): AmqpDelivery => {
    settler.received(tag);
    return new AmqpDelivery(raw(tag), 'q', settler, false, logger, live);
  };

  it('coalesces the acks of a tick into one frame; a second ack or nack is a no-op', async () => {
    const ch = fakeChannel();
    const settler = new ChannelSettler(ch);
    const ds = [1, 2, 3].map((tag) => delivery(settler, tag, () => true));
    for (const d of ds) await d.ack();
    await ds[0]?.nack({ requeue: true });
    await tick();
    expect(ch.frames).toEqual([['ack', 3, true]]);
    expect(ds.map((d) => d.settled)).toEqual(['ack', 'ack', 'ack']);
    expect(ds.some((d) => d.lost)).toBe(false);
  });

  it('after its channel closed: the settlement is logged at debug level and dropped, and the delivery is lost', async () => {
    const ch = fakeChannel();
    const settler = new ChannelSettler(ch);
    const debug = vi.fn();
    const logger = { ...silentLogger, debug } as Logger;
    let live = true;
    const d = delivery(settler, 1, () => live, logger);
    ch.closed = true;
    live = false;
    await expect(d.ack()).resolves.toBeUndefined();
    await tick();
    expect(ch.frames).toEqual([]);
    expect(debug).toHaveBeenCalledOnce();
    expect(d.lost).toBe(true);
  });

  it('is lost when its channel closes between the settlement and the end of the tick', async () => {
    const ch = fakeChannel();
    const settler = new ChannelSettler(ch);
    let live = true;
    const d = delivery(settler, 1, () => live);
    await d.ack();
    expect(d.lost).toBe(false);
    ch.closed = true;
    live = false;
    await tick();
    expect(d.lost).toBe(true);
  });

  it('a no-ack delivery sends nothing', async () => {
    const ch = fakeChannel();
    const d = new AmqpDelivery(raw(1), 'q', new ChannelSettler(ch), true, silentLogger, () => false);
    await d.ack();
    await tick();
    expect(ch.frames).toEqual([]);
    expect(d.lost).toBe(false);
  });
});
