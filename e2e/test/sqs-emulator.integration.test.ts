/**
 * The SQS emulator of `@q/test-services` (fauxqs + its Query-protocol gateway) serves every SQS client the tests use
 * on the same queues: `@aws-sdk/client-sqs` (AWS JSON protocol), boto3 1.26 (Query protocol, XML answers) and
 * kombu 5.2.4's SQS transport, whose worker receives with its own pycurl connection (ReceiveMessage posted to the
 * queue URL) and deletes with boto3.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { pythonCelery, startSqsEmulator } from '@q/test-services';
import type { SqsEmulator } from '@q/test-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManagedProcess } from './support/managed-process.js';
import { startProcess, stopAll } from './support/managed-process.js';
import { PYTHON_DIR } from './support/python-celery.js';

/** The part of `@aws-sdk/client-sqs` used here (a dependency of `@q/transport-sqs`, not of e2e). */
type Output = Record<string, unknown> & {
  QueueUrl?: string;
  Messages?: { MessageId: string; ReceiptHandle: string; Body: string; MessageAttributes?: Record<string, { StringValue?: string }> }[];
  Attributes?: Record<string, string>;
};
interface SqsSdk {
  SQSClient: new (config: object) => { send(command: object): Promise<Output>; destroy(): void };
  CreateQueueCommand: new (input: object) => object;
  SendMessageCommand: new (input: object) => object;
  ReceiveMessageCommand: new (input: object) => object;
  DeleteMessageCommand: new (input: object) => object;
  GetQueueAttributesCommand: new (input: object) => object;
}
const requireFromSqsTransport = createRequire(fileURLToPath(new URL('../../packages/transport/sqs/package.json', import.meta.url)));
function loadSdk(): SqsSdk {
  try {
    return requireFromSqsTransport('@aws-sdk/client-sqs') as SqsSdk;
  } catch (err) {
    // vitest runs its workers with `--conditions module` when vitest.shared.ts lists `module` in `ssr.resolve.conditions`;
    // Node then loads @aws-sdk's bundler-only `dist-es` builds, which it cannot.
    throw new Error(`@aws-sdk/client-sqs does not load in this vitest worker (execArgv ${process.execArgv.join(' ')})`, { cause: err });
  }
}
const sdk = loadSdk();

const run = promisify(execFile);
const py = pythonCelery('sqs emulator interop', ['boto3', 'pycurl']);

describe('the SQS emulator', () => {
  let emulator: SqsEmulator;
  let client: InstanceType<SqsSdk['SQSClient']>;

  beforeAll(async () => {
    emulator = await startSqsEmulator();
    client = new sdk.SQSClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  });

  afterAll(async () => {
    client?.destroy();
    await stopAll();
    await emulator?.stop();
  });

  const queueSize = async (url: string): Promise<number> => {
    const { Attributes } = await client.send(
      new sdk.GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    return Number(Attributes?.['ApproximateNumberOfMessages']) + Number(Attributes?.['ApproximateNumberOfMessagesNotVisible']);
  };

  it('serves the JSON protocol on 127.0.0.1, with queue URLs on 127.0.0.1, and maps URLs of another host by queue name', async () => {
    expect(emulator.endpoint).toBe(`http://127.0.0.1:${emulator.port}`);
    expect(emulator.brokerUrl).toBe(`sqs://test:test@127.0.0.1:${emulator.port}`);
    const { QueueUrl } = await client.send(new sdk.CreateQueueCommand({ QueueName: 'json-only' }));
    expect(QueueUrl).toBe(`${emulator.endpoint}/000000000000/json-only`);
    await client.send(new sdk.SendMessageCommand({ QueueUrl: `http://sqs.us-east-1.localhost:${emulator.port}/000000000000/json-only`, MessageBody: 'aws-style url' }));
    const { Messages } = await client.send(new sdk.ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 2 }));
    expect(Messages?.map((m) => m.Body)).toEqual(['aws-style url']);
  });

  it('stop() is idempotent and ends the process', async () => {
    const other = await startSqsEmulator();
    await Promise.all([other.stop(), other.stop()]);
    await other.stop();
    const res = await fetch(`${other.endpoint}/health`).then(
      () => 'answered',
      () => 'refused',
    );
    expect(res).toBe('refused');
  });

  describe.skipIf(!py)('with Python', () => {
    let dir: string;

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'q-sqs-emulator-'));
    });

    afterAll(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('boto3 (Query protocol) and the SDK (JSON) share queues, messages, attributes and errors; batches, purge and delete work from boto3', async () => {
      const { QueueUrl } = await client.send(new sdk.CreateQueueCommand({ QueueName: 'h1-interop', Attributes: { VisibilityTimeout: '30' } }));
      const url = QueueUrl ?? '';
      await client.send(new sdk.CreateQueueCommand({ QueueName: 'h1-other' }));
      await client.send(new sdk.CreateQueueCommand({ QueueName: 'zz-not-listed' }));
      await client.send(
        new sdk.SendMessageCommand({ QueueUrl: url, MessageBody: 'from the SDK', MessageAttributes: { n: { DataType: 'Number', StringValue: '42' } } }),
      );

      const { stdout } = await run(py ?? '', ['sqs_boto3_client.py', emulator.endpoint, url, 'h1-'], { cwd: PYTHON_DIR, timeout: 30_000 });
      const seen = JSON.parse(stdout) as {
        first: { id: string; body: string; attributes: Record<string, string>; message_attributes: Record<string, { DataType: string; StringValue: string }> }[];
        second: { id: string; receive_count: string }[];
        left: Record<string, string>;
        sent: { id: string };
        listed: string[];
        url: string;
        missing: { code: string; status: number; is_queue_does_not_exist: boolean } | null;
        exists: string | null;
        batch: Record<string, unknown>;
      };
      expect(seen.first).toHaveLength(1);
      expect(seen.first[0]?.body).toBe('from the SDK');
      expect(seen.first[0]?.attributes['ApproximateReceiveCount']).toBe('1');
      expect(seen.first[0]?.message_attributes).toEqual({ n: { DataType: 'Number', StringValue: '42' } });
      // ChangeMessageVisibility(0) made it visible again: the same message, received a second time
      expect(seen.second).toEqual([{ id: seen.first[0]?.id, receive_count: '2' }]);
      // DeleteMessage removed it
      expect(seen.left).toEqual({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
      expect([...seen.listed].sort()).toEqual([url, `${emulator.endpoint}/000000000000/h1-other`]);
      expect(seen.url).toBe(url);
      expect(seen.missing).toEqual({ code: 'AWS.SimpleQueueService.NonExistentQueue', status: 400, is_queue_does_not_exist: true });
      // CreateQueue of an existing name with other attributes: botocore's QueueNameExists
      expect(seen.exists).toBe('QueueAlreadyExists');
      expect(seen.batch).toEqual({
        sent: ['a', 'b'],
        received: ['one', 'two'],
        changed: ['0', '1'],
        change_failed: [['bogus', 'ReceiptHandleIsInvalid', true]],
        again: ['one', 'two'],
        deleted: ['0', '1'],
        attributes: { DelaySeconds: '3', ApproximateNumberOfMessagesDelayed: '1' },
        after_purge: ['0', '0'],
        listed_after_delete: [],
      });

      const { Messages } = await client.send(new sdk.ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 2, MessageAttributeNames: ['All'] }));
      expect(Messages).toHaveLength(1);
      expect(Messages?.[0]?.MessageId).toBe(seen.sent.id);
      expect(Messages?.[0]?.Body).toBe('from boto3 \u00e9\r\n<&>');
      expect(Messages?.[0]?.MessageAttributes?.['origin']?.StringValue).toBe('boto3');
      await client.send(new sdk.DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: Messages?.[0]?.ReceiptHandle }));
      expect(await queueSize(url)).toBe(0);
    });

    it("a Python Celery worker (kombu's SQS transport, pycurl receive) runs a task sent by Python's send_task", async () => {
      const env = { SQS_BROKER: emulator.brokerUrl, PYTHONUNBUFFERED: '1' };
      let worker: ManagedProcess | undefined;
      try {
        worker = startProcess(
          py ?? '',
          ['-m', 'celery', '-A', 'sqs_celery_app', 'worker', '-P', 'solo', '-l', 'info', '-n', 'h1-sqs@%h', '--without-gossip', '--without-mingle', '--without-heartbeat'],
          { cwd: PYTHON_DIR, env },
        );
        await worker.waitFor(/ ready\./, 30_000);
        const marker = join(dir, 'marker.txt');
        const { stdout } = await run(py ?? '', ['sqs_celery_send.py', marker, 'ran on SQS'], { cwd: PYTHON_DIR, env: { ...process.env, ...env }, timeout: 30_000 });
        const taskId = stdout.trim();
        await worker.waitFor(new RegExp(`Task h1\\.touch\\[${taskId}\\] succeeded`), 30_000);
        expect(existsSync(marker) && readFileSync(marker, 'utf8')).toBe('ran on SQS');
        // the worker deleted the message (queue `celery` with the `h1-` prefix)
        const { QueueUrl } = await client.send(new sdk.CreateQueueCommand({ QueueName: 'h1-celery' }));
        const deadline = Date.now() + 10_000;
        while ((await queueSize(QueueUrl ?? '')) !== 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        expect(await queueSize(QueueUrl ?? '')).toBe(0);
        expect(worker.output()).not.toMatch(/Traceback|Unrecoverable error|HTTP Error/);
      } finally {
        await worker?.stop();
      }
    });
  });
});
