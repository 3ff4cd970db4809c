/**
 * Acks batched per tick against RabbitMQ (vhost `q-test-transport-amqp-acks`): the acks of a tick go out as
 * multiple acks where they may, a delivery left unsettled is never acknowledged with them (checked with
 * `rabbitmqctl list_queues messages_unacknowledged`), rejects keep their meaning, settling twice changes nothing,
 * and nothing stays unacknowledged at the end. Also: the socket corking takes on the amqplib in use.
 */
import { silentLogger, type Logger } from '@q/core';
import type { Delivery, Message } from '@q/core/adapter';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { amqpTransport, type AmqpTransport } from '../src/index.js';
import type { AmqpDelivery } from '../src/delivery.js';
import { fileVhost, list, sleep, until } from './helpers.js';

const vhost = await fileVhost('transport-amqp-acks');

const text = (m: Message): string => new TextDecoder().decode(m.body);
const message = (body: string): Message => ({ body: new TextEncoder().encode(body), contentType: 'text/plain', contentEncoding: 'utf-8', headers: {}, properties: {} });
const durable = (name: string) => ({ name, durable: true, exclusive: false, autoDelete: false });

describe.skipIf(!vhost)('amqp acks batched per tick', () => {
  const url = vhost?.url ?? '';
  const name = vhost?.name ?? '';

  async function transport(): Promise<AmqpTransport> {
    const t = amqpTransport({ url });
    await t.connect();
    onTestFinished(() => t.close());
    return t;
  }

  /** `[ready, unacknowledged]` of `queue`. */
  const counts = (queue: string): [number, number] => {
    const row = list('queues', name, ['name', 'messages_ready', 'messages_unacknowledged']).find(([n]) => n === queue);
    return [Number(row?.[1] ?? NaN), Number(row?.[2] ?? NaN)];
  };

  it('acks with multiple acks, never over a delivery left unsettled; rejects, requeues and double settles keep their meaning', async () => {
    const t = await transport();
    const queue = 'acks-q';
    await t.declareQueue(durable(queue));
    const n = 200;
    await Promise.all(Array.from({ length: n }, (_, i) => t.publish(message(String(i)), { exchange: '', routingKey: queue })));

    const held: Delivery[] = [];
    const acked: Delivery[] = [];
    const redelivered: string[] = [];
    let frames: ReturnType<typeof vi.fn> | null = null;
    await t.consume(
      queue,
      async (d) => {
        if (!frames) {
          // The channel's acks, counted from the first delivery on (before any was settled).
          const ch = (d as AmqpDelivery).channel;
          const ack = ch.ack.bind(ch);
          frames = vi.fn(ack);
          ch.ack = frames as typeof ch.ack;
        }
        const i = Number(text(d.message));
        if (d.info.redelivered) {
          redelivered.push(text(d.message));
          await d.ack();
          return;
        }
        // Settled a few microtasks later, as a worker does; every 10th delivery is held unsettled.
        await Promise.resolve();
        await Promise.resolve();
        if (i % 10 === 3) held.push(d);
        else {
          await d.ack();
          acked.push(d);
        }
      },
      { prefetch: n },
    );
    await until(() => held.length + acked.length === n, 10_000, 'every delivery');
    await until(() => counts(queue)[1] === held.length, 10_000, 'the acks');
    await sleep(200);
    expect(counts(queue)).toEqual([0, n / 10]);
    const calls = (frames as ReturnType<typeof vi.fn> | null)?.mock.calls ?? [];
    const multiple = calls.filter((c) => c[1] === true).length;
    // Fewer frames than acks: runs went out as multiple acks.
    expect(multiple).toBeGreaterThan(0);
    expect(calls.length).toBeLessThan(acked.length);

    // Settling again is a no-op (a second ack of a tag would make RabbitMQ close the channel).
    for (const d of acked.slice(0, 20)) await d.ack();
    await acked[0]?.nack({ requeue: true });
    // The held ones, in one tick: one requeued, one dropped, the others acked (after the rejects).
    const [requeue, drop, ...rest] = held;
    await requeue?.nack({ requeue: true });
    await drop?.nack({ requeue: false });
    for (const d of rest) await d.ack();
    for (const d of rest) await d.ack();
    await until(() => redelivered.length === 1, 10_000, 'the requeued delivery');
    expect(redelivered).toEqual([text(requeue?.message as Message)]);
    await until(() => counts(queue)[1] === 0, 10_000, 'no delivery left unacknowledged');
    expect(counts(queue)).toEqual([0, 0]);

    // The channel is still the one it was: a new message is delivered and acked.
    await t.publish(message('after'), { exchange: '', routingKey: queue });
    await until(() => acked.length === n - n / 10 + 1, 5000, 'a delivery after the settles');
    await until(() => counts(queue)[1] === 0, 10_000, 'its ack');
    expect(counts(queue)).toEqual([0, 0]);
    expect(redelivered).toHaveLength(1);
  });

  it("corks amqplib's socket writes (its internals are laid out as expected)", async () => {
    const debug: string[] = [];
    const logger: Logger = { ...silentLogger, debug: (obj: object | string, msg?: string) => void debug.push(typeof obj === 'string' ? obj : (msg ?? '')) };
    const t = amqpTransport({ url, logger });
    onTestFinished(() => t.close());
    await t.connect();
    expect(debug.filter((line) => /amqplib internals changed/.test(line))).toEqual([]);
  });

  it('acks settled just before close() reach the broker (nothing requeued)', async () => {
    const t = amqpTransport({ url });
    await t.connect();
    const queue = 'acks-close-q';
    await t.declareQueue(durable(queue));
    await Promise.all(Array.from({ length: 20 }, (_, i) => t.publish(message(String(i)), { exchange: '', routingKey: queue })));
    const got: Delivery[] = [];
    await t.consume(queue, (d) => void got.push(d), { prefetch: 50 });
    await until(() => got.length === 20, 5000, 'the deliveries');
    // Settled and closed in the same tick.
    for (const d of got) void d.ack();
    await t.close();
    await until(() => counts(queue)[1] === 0, 5000, 'the consumer gone');
    expect(counts(queue)).toEqual([0, 0]);
  });
});
