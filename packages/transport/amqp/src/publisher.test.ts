/** The publisher against a fake confirm channel: hand-over order, the drain wait, confirms, close(). */
import { EventEmitter } from 'node:events';
import type { ChannelModel, Options } from 'amqplib';
import type { Message } from '@q/core/adapter';
import { silentLogger } from '@q/core';
import { describe, expect, it } from 'vitest';
import type { AmqpConnection } from './connection.js';
import { Publisher } from './publisher.js';

/** A confirm channel that records publishes; `full` makes publish report a full write buffer. */
class FakeChannel extends EventEmitter {
  readonly sent: string[] = [];
  readonly confirms: ((err: unknown) => void)[] = [];
  full = false;
  closed = false;

  publish(_exchange: string, _routingKey: string, content: Buffer, _options: Options.Publish, cb: (err: unknown) => void): boolean {
    if (this.closed) throw Object.assign(new Error('Channel closed'), { name: 'IllegalOperationError' });
    this.sent.push(content.toString());
    this.confirms.push(cb);
    return !this.full;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

function setup(): { publisher: Publisher; channels: FakeChannel[] } {
  const channels: FakeChannel[] = [];
  const model = {
    createConfirmChannel: () => {
      const ch = new FakeChannel();
      channels.push(ch);
      return Promise.resolve(ch);
    },
  } as unknown as ChannelModel;
  const conn = { where: 'amqp://fake//', state: 'open', ready: () => Promise.resolve(model) } as unknown as AmqpConnection;
  return { publisher: new Publisher({ conn, logger: silentLogger, confirm: true, waitMs: 1000 }), channels };
}

const message = (body: string): Message => ({ body: Buffer.from(body), contentType: 'text/plain', contentEncoding: 'utf-8', headers: {}, properties: {} });
const target = { exchange: '', routingKey: 'q' };
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('Publisher', () => {
  it('hands publishes over in order, at once once the channel is open, and resolves each with its confirm', async () => {
    const { publisher, channels } = setup();
    const first = publisher.publish(message('a'), target);
    await turn();
    const ch = channels[0] as FakeChannel;
    expect(ch.sent).toEqual(['a']);
    const later = [publisher.publish(message('b'), target), publisher.publish(message('c'), target)];
    // Handed over in the caller's turn.
    expect(ch.sent).toEqual(['a', 'b', 'c']);
    let settled = 0;
    for (const p of [first, ...later]) void p.then(() => settled++, () => settled++);
    await turn();
    expect(settled).toBe(0);
    ch.confirms[1]?.(null);
    ch.confirms[0]?.(null);
    ch.confirms[2]?.(new Error('message nacked'));
    await expect(first).resolves.toBeUndefined();
    await expect(later[0]).resolves.toBeUndefined();
    await expect(later[1]).rejects.toMatchObject({ code: 'Q_ERR_BROKER_REFUSED', retryable: true });
  });

  it('while the write buffer is full, later publishes wait behind the earlier ones and go out in order after the drain', async () => {
    const { publisher, channels } = setup();
    void publisher.publish(message('a'), target);
    await turn();
    const ch = channels[0] as FakeChannel;
    ch.full = true;
    void publisher.publish(message('b'), target);
    void publisher.publish(message('c'), target);
    void publisher.publish(message('d'), target);
    await turn();
    expect(ch.sent).toEqual(['a', 'b']);
    ch.full = false;
    ch.emit('drain');
    void publisher.publish(message('e'), target);
    await turn();
    expect(ch.sent).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('a publish on a channel that closed under it goes out on a new channel', async () => {
    const { publisher, channels } = setup();
    void publisher.publish(message('a'), target);
    await turn();
    (channels[0] as FakeChannel).closed = true;
    const p = publisher.publish(message('b'), target);
    await turn();
    expect(channels).toHaveLength(2);
    expect(channels[1]?.sent).toEqual(['b']);
    channels[1]?.confirms[0]?.(null);
    await expect(p).resolves.toBeUndefined();
  });

  it('close() waits for the confirms of publishes in flight', async () => {
    const { publisher, channels } = setup();
    const p = publisher.publish(message('a'), target);
    await turn();
    const q = publisher.publish(message('b'), target);
    let closed = false;
    const closing = publisher.close(5000).then(() => (closed = true));
    await turn();
    expect(closed).toBe(false);
    channels[0]?.confirms[0]?.(null);
    await turn();
    expect(closed).toBe(false);
    channels[0]?.confirms[1]?.(null);
    await closing;
    await expect(Promise.all([p, q])).resolves.toEqual([undefined, undefined]);
  });
});
