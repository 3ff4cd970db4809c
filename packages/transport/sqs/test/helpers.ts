/** Shared by the integration tests: a private SQS emulator per file, raw SDK access, polling. */
import { GetQueueAttributesCommand, GetQueueUrlCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { startSqsEmulator, type SqsEmulator } from '@q/test-services';
import { waitFor } from '@q/testing';
import { afterAll, beforeAll } from 'vitest';

/** Start an emulator before the file's tests, stop it (and the raw client) after them. */
export function useEmulator(): { readonly emulator: SqsEmulator; readonly raw: RawSqs } {
  const state: { emulator?: SqsEmulator; raw?: RawSqs } = {};
  beforeAll(async () => {
    state.emulator = await startSqsEmulator();
    state.raw = new RawSqs(state.emulator.endpoint);
  });
  afterAll(async () => {
    state.raw?.client.destroy();
    await state.emulator?.stop();
  });
  return {
    get emulator(): SqsEmulator {
      if (!state.emulator) throw new Error('emulator not started');
      return state.emulator;
    },
    get raw(): RawSqs {
      if (!state.raw) throw new Error('emulator not started');
      return state.raw;
    },
  };
}

/** A prefix unique to this run and label. */
export const uniquePrefix = (label: string): string => `${label}-${process.pid}-${Math.random().toString(36).slice(2, 7)}-`;

/** Plain SDK access to the emulator, to look at what the transport did. */
export class RawSqs {
  readonly client: SQSClient;
  constructor(endpoint: string) {
    this.client = new SQSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  }

  async url(name: string): Promise<string> {
    return (await this.client.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl ?? '';
  }

  async attributes(name: string): Promise<Record<string, string>> {
    return (await this.client.send(new GetQueueAttributesCommand({ QueueUrl: await this.url(name), AttributeNames: ['All'] }))).Attributes ?? {};
  }

  async receive(name: string, options: { waitSeconds?: number; visibility?: number } = {}): Promise<Message[]> {
    const out = await this.client.send(
      new ReceiveMessageCommand({
        QueueUrl: await this.url(name),
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: options.waitSeconds ?? 0,
        ...(options.visibility === undefined ? {} : { VisibilityTimeout: options.visibility }),
        MessageSystemAttributeNames: ['All'],
      }),
    );
    return out.Messages ?? [];
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Poll until `check` is true or fail after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  await waitFor(check, (ok) => ok, { timeoutMs, what, intervalMs: 50 });
}
