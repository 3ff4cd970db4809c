/**
 * The per-turn batches of the SQS driver: the sends, deletes and visibility changes issued in one turn of the event
 * loop go out as SendMessageBatch / DeleteMessageBatch / ChangeMessageVisibilityBatch per queue (≤ 10 entries, ≤ 256
 * KiB of bodies), and a `Failed` entry fails only its own operation.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  SendMessageBatchCommand,
  type BatchResultErrorEntry,
  type SendMessageBatchRequestEntry,
} from '@aws-sdk/client-sqs';
import type { QueueRef } from './queue-directory.js';
import { toQError } from './sqs-errors.js';

/** SQS takes at most 10 entries per batch request. */
export const MAX_BATCH_ENTRIES = 10;
/** …and at most 256 KiB of message bodies per SendMessageBatch. */
export const MAX_BATCH_BYTES = 262_144;

/** One message to send. */
export interface SendItem {
  ref: QueueRef;
  entry: Omit<SendMessageBatchRequestEntry, 'Id'>;
}

/** One message to delete or make visible again. */
export interface ReceiptItem {
  ref: QueueRef;
  receipt: string;
  /** ChangeMessageVisibility only: the new timeout in seconds. */
  timeout?: number;
}

/** Indices of `items` grouped by queue URL, then cut into chunks of ≤ 10 entries and ≤ `maxBytes` of `size`. */
export function chunkByQueue<T extends { ref: QueueRef }>(items: readonly T[], size: (item: T) => number = () => 0, maxBytes = Infinity): number[][] {
  const byUrl = new Map<string, number[][]>();
  items.forEach((item, i) => {
    let chunks = byUrl.get(item.ref.url);
    if (!chunks) byUrl.set(item.ref.url, (chunks = [[]]));
    let last = chunks[chunks.length - 1] as number[];
    const bytes = last.reduce((sum, j) => sum + size(items[j] as T), 0);
    if (last.length >= MAX_BATCH_ENTRIES || (last.length > 0 && bytes + size(item) > maxBytes)) chunks.push((last = []));
    last.push(i);
  });
  return [...byUrl.values()].flat();
}

function failedError(op: string, f: BatchResultErrorEntry, where: string): Error {
  const err = Object.assign(new Error(f.Message ?? f.Code ?? 'failed'), { name: f.Code ?? 'BatchEntryFailed', Code: f.Code, $metadata: { httpStatusCode: f.SenderFault ? 400 : 500 }, $fault: f.SenderFault ? 'client' : 'server' });
  return toQError(err, op, where);
}

/**
 * Runs one batch command per chunk and returns one error (or `undefined`) per item: a failed request fails its
 * chunk, a `Failed` entry its item.
 */
async function runChunks<T extends { ref: QueueRef }>(
  op: string,
  items: readonly T[],
  chunks: number[][],
  send: (ref: QueueRef, chunk: number[]) => Promise<{ Failed?: BatchResultErrorEntry[] | undefined }>,
): Promise<unknown[]> {
  const errors: unknown[] = items.map(() => undefined);
  await Promise.all(
    chunks.map(async (chunk) => {
      const ref = (items[chunk[0] as number] as T).ref;
      try {
        const out = await send(ref, chunk);
        for (const f of out.Failed ?? []) {
          const i = chunk[Number(f.Id)];
          if (i !== undefined) errors[i] = failedError(op, f, ref.url);
        }
      } catch (err) {
        const mapped = toQError(err, op, ref.url);
        for (const i of chunk) errors[i] = mapped;
      }
    }),
  );
  return errors;
}

/** SendMessageBatch per queue. */
export function flushSends(items: readonly SendItem[]): Promise<unknown[]> {
  const chunks = chunkByQueue(items, (i) => Buffer.byteLength(i.entry.MessageBody ?? ''), MAX_BATCH_BYTES);
  return runChunks('SendMessageBatch', items, chunks, (ref, chunk) =>
    ref.client.send(new SendMessageBatchCommand({ QueueUrl: ref.url, Entries: chunk.map((i, n) => ({ ...(items[i] as SendItem).entry, Id: String(n) })) })),
  );
}

/** DeleteMessageBatch per queue. */
export function flushDeletes(items: readonly ReceiptItem[]): Promise<unknown[]> {
  return runChunks('DeleteMessageBatch', items, chunkByQueue(items), (ref, chunk) =>
    ref.client.send(new DeleteMessageBatchCommand({ QueueUrl: ref.url, Entries: chunk.map((i, n) => ({ Id: String(n), ReceiptHandle: (items[i] as ReceiptItem).receipt })) })),
  );
}

/** ChangeMessageVisibilityBatch per queue. */
export function flushVisibility(items: readonly ReceiptItem[]): Promise<unknown[]> {
  return runChunks('ChangeMessageVisibilityBatch', items, chunkByQueue(items), (ref, chunk) =>
    ref.client.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: ref.url,
        Entries: chunk.map((i, n) => ({ Id: String(n), ReceiptHandle: (items[i] as ReceiptItem).receipt, VisibilityTimeout: (items[i] as ReceiptItem).timeout ?? 0 })),
      }),
    ),
  );
}
