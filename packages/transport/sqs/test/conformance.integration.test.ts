/** The SQS driver and transport pass @q/conformance against a private SQS emulator (fauxqs), each run with its own queue prefix. */
import { queueDriverSuite, transportSuite } from '@q/conformance';
import { startSqsEmulator, type SqsEmulator } from '@q/test-services';
import { afterAll, beforeAll, describe } from 'vitest';
import { sqsQueueDriver, sqsTransport } from '../src/index.js';

describe('sqs conformance', () => {
  let emulator: SqsEmulator | undefined;
  const prefix = `conf-${process.pid}-${Date.now().toString(36)}-`;
  beforeAll(async () => {
    emulator = await startSqsEmulator();
  });
  afterAll(() => emulator?.stop());
  const url = (): string => emulator?.brokerUrl ?? 'sqs://test:test@127.0.0.1:1';
  // Short long polls: close() waits for the poll under way (see the README), and every test closes its driver.
  const base = (): { url: string; queueNamePrefix: string; region: string; waitTimeSeconds: number } => ({
    url: url(),
    queueNamePrefix: prefix,
    region: 'us-east-1',
    waitTimeSeconds: 1,
  });

  queueDriverSuite(
    'sqs',
    async (o) => sqsQueueDriver({ ...base(), ...(o.visibilityTimeoutMs === undefined ? {} : { visibilityTimeoutMs: o.visibilityTimeoutMs }) }),
    { peer: async () => sqsQueueDriver(base()), visibilityTimeout: true, visibilityTimeoutMs: 2000, timeoutMs: 8000, receiptTags: true, releaseOrder: 'any' },
  );

  transportSuite('sqs', async () => sqsTransport(base()), { peer: async () => sqsTransport(base()), quietMs: 300, timeoutMs: 8000 });
});
