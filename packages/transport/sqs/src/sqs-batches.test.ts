/** The per-turn coalescer: one turn's puts → one SendMessageBatch per queue; a Failed entry fails only its put. */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { ConnectionError } from '@q/core';
import { describe, expect, it } from 'vitest';
import { sqsQueueDriver } from './sqs-queue-driver.js';
import { chunkByQueue } from './sqs-batches.js';
import type { QueueRef } from './queue-directory.js';

interface Sent {
  name: string;
  input: Record<string, unknown>;
}

/** A client that answers like SQS and records the commands; `failIds` makes SendMessageBatch fail those entry ids. */
function fakeClient(failIds: string[] = []): { client: SQSClient; sent: Sent[] } {
  const sent: Sent[] = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const name = command.constructor.name;
      sent.push({ name, input: command.input });
      if (name === 'ListQueuesCommand') return { QueueUrls: [] };
      if (name === 'GetQueueUrlCommand') return { QueueUrl: `http://sqs/1/${String(command.input['QueueName'])}` };
      if (name === 'SendMessageBatchCommand') {
        const entries = command.input['Entries'] as { Id: string }[];
        return {
          Successful: entries.filter((e) => !failIds.includes(e.Id)).map((e) => ({ Id: e.Id, MessageId: `m${e.Id}` })),
          Failed: entries.filter((e) => failIds.includes(e.Id)).map((e) => ({ Id: e.Id, Code: 'InternalError', SenderFault: false, Message: 'boom' })),
        };
      }
      return {};
    },
    destroy: () => undefined,
  } as unknown as SQSClient;
  return { client, sent };
}

const envelope = (n: number): string => JSON.stringify({ body: `m${n}`, headers: {}, properties: { delivery_tag: `t${n}` } });

describe('batching', () => {
  it("sends the puts of one turn as one SendMessageBatch per queue, ≤ 10 entries each, with kombu's base64 bodies", async () => {
    const { client, sent } = fakeClient();
    const driver = sqsQueueDriver({ client, queueNamePrefix: 'p-' });
    await driver.connect();
    await Promise.all([
      ...Array.from({ length: 12 }, (_, i) => driver.put('a', envelope(i), { priority: 0, tag: `t${i}` })),
      driver.put('b', envelope(99), { priority: 0, tag: 't99', delayMs: 1500 }),
    ]);
    const batches = sent.filter((s) => s.name === 'SendMessageBatchCommand');
    expect(batches.map((b) => [b.input['QueueUrl'], (b.input['Entries'] as unknown[]).length])).toEqual([
      ['http://sqs/1/p-a', 10],
      ['http://sqs/1/p-a', 2],
      ['http://sqs/1/p-b', 1],
    ]);
    const [first] = batches[0]?.input['Entries'] as { MessageBody: string; DelaySeconds?: number }[];
    expect(Buffer.from(first?.MessageBody ?? '', 'base64').toString()).toBe(envelope(0));
    expect(first?.DelaySeconds).toBeUndefined();
    expect((batches[2]?.input['Entries'] as { DelaySeconds?: number }[])[0]?.DelaySeconds).toBe(2);
    expect(sent.filter((s) => s.name === 'SendMessageCommand')).toEqual([]);
    await driver.close();
  });

  it('a Failed entry rejects only its own put, as a q error', async () => {
    const { client } = fakeClient(['1']);
    const driver = sqsQueueDriver({ client });
    const results = await Promise.allSettled([0, 1, 2].map((i) => driver.put('a', envelope(i), { priority: 0, tag: `t${i}` })));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const reason = (results[1] as PromiseRejectedResult).reason as ConnectionError;
    expect(reason).toBeInstanceOf(ConnectionError);
    expect(reason.message).toMatch(/InternalError/);
    expect(reason.retryable).toBe(true);
    await driver.close();
  });

  it('FIFO queues get MessageGroupId/MessageDeduplicationId and no DelaySeconds', async () => {
    const { client, sent } = fakeClient();
    const driver = sqsQueueDriver({ client });
    await driver.put('jobs.fifo', JSON.stringify({ body: 'x', properties: { MessageGroupId: 'g1' } }), { priority: 0, tag: 't', delayMs: 5000 });
    const [entry] = sent.find((s) => s.name === 'SendMessageBatchCommand')?.input['Entries'] as Record<string, unknown>[];
    expect(entry).toMatchObject({ MessageGroupId: 'g1' });
    expect(entry?.['MessageDeduplicationId']).toMatch(/^[0-9a-f-]{36}$/);
    expect(entry?.['DelaySeconds']).toBeUndefined();
    await driver.close();
  });

  it('cuts chunks at 256 KiB of bodies', () => {
    const ref = { url: 'u' } as QueueRef;
    const items = Array.from({ length: 4 }, () => ({ ref, size: 100_000 }));
    expect(chunkByQueue(items, (i) => i.size, 262_144)).toEqual([[0, 1], [2, 3]]);
  });

  it('acks of one turn go out as one DeleteMessageBatch', async () => {
    const { client, sent } = fakeClient();
    const driver = sqsQueueDriver({ client });
    await Promise.all(['r1', 'r2', 'r3'].map((tag) => driver.ack({ queue: 'a', payload: '{}', tag })));
    const deletes = sent.filter((s) => s.name.startsWith('DeleteMessage'));
    expect(deletes.map((d) => d.name)).toEqual(['DeleteMessageBatchCommand']);
    expect((deletes[0]?.input['Entries'] as { ReceiptHandle: string }[]).map((e) => e.ReceiptHandle)).toEqual(['r1', 'r2', 'r3']);
    await driver.close();
  });
});
