/**
 * The SQS side of the SQS interop tests: a private SQS emulator (fauxqs plus its Query-protocol gateway, which boto3
 * and kombu's pycurl client speak) with a queue-name prefix of the suite's own, passed to BOTH sides (kombu's
 * `broker_transport_options`, q's `brokerOptions.transportOptions`, same kombu names). SQS stores no results:
 * results (db 0) and the ledger (db 1) live in a private redis-server the suite starts, no shared Redis db is used.
 *
 * Raw SQS access for the wire checks goes through `@aws-sdk/client-sqs` (the JSON protocol), loaded from where
 * `@q/transport-sqs` depends on it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, privateRedis, startSqsEmulator } from '@q/test-services';
import type { SqsEmulator } from '@q/test-services';
import { Redis } from 'ioredis';
import type { InteropEnv } from './python-celery.js';

/** kombu's SQS queue name: prefix + name, `.` → `-`, other ASCII punctuation but `-` and `_` → `_` (wire spec §4). */
export function kombuQueueName(prefix: string, queue: string): string {
  return `${prefix}${queue}`.replace(/[!"#$%&'()*+,./:;<=>?@[\\\]^`{|}~]/g, (c) => (c === '.' ? '-' : '_'));
}

/** A message as `ReceiveMessage` returns it. */
export interface RawSqsMessage {
  MessageId?: string;
  ReceiptHandle?: string;
  Body?: string;
  Attributes?: Record<string, string>;
  MessageAttributes?: Record<string, unknown>;
}

/** The few SQS calls the wire checks make, by queue name (the suite's prefix is added here). */
export interface RawSqs {
  /** The queue URL of kombu queue `queue` (with the prefix), or `undefined` when it does not exist. */
  queueUrl(queue: string): Promise<string | undefined>;
  /** One long-poll receive of up to `max` messages (all system attributes and message attributes). */
  receive(queue: string, options?: { max?: number; waitSeconds?: number; visibilityTimeout?: number }): Promise<RawSqsMessage[]>;
  /** `GetQueueAttributes` of the Approximate* counters. */
  counts(queue: string): Promise<{ visible: number; inFlight: number; delayed: number }>;
  destroy(): void;
}

/** What an SQS interop suite runs against. */
export interface SqsInterop {
  emulator: SqsEmulator;
  /** This suite's `queue_name_prefix`. */
  prefix: string;
  /** kombu transport options, the same for both sides. */
  transportOptions: Record<string, unknown>;
  /** Broker = the emulator, backend = private Redis db 0, ledger = db 1; Python's and q's broker options set. */
  urls: InteropEnv;
  /** The ledger (db 1). */
  ledger: Redis;
  sqs: RawSqs;
  /** Stops the emulator and the redis-server, removes its files. */
  close(): Promise<void>;
}

/** Where `@q/transport-sqs` resolves from, for `-b sqs://` in a q process. */
const E2E_DIR = fileURLToPath(new URL('../..', import.meta.url));

/** Seconds a received, unacknowledged message stays invisible (both sides): more than any held countdown here. */
export const SQS_VISIBILITY_TIMEOUT = 60;

interface SdkClient {
  send(command: object): Promise<unknown>;
  destroy(): void;
}
type Ctor<T> = new (input: object) => T;
interface SqsSdk {
  SQSClient: Ctor<SdkClient>;
  GetQueueUrlCommand: Ctor<object>;
  ReceiveMessageCommand: Ctor<object>;
  GetQueueAttributesCommand: Ctor<object>;
}

/** `@aws-sdk/client-sqs` as `@q/transport-sqs` resolves it (e2e does not depend on the SDK itself). */
function loadSdk(): SqsSdk {
  const fromE2e = createRequire(import.meta.url);
  return createRequire(fromE2e.resolve('@q/transport-sqs/package.json'))('@aws-sdk/client-sqs') as SqsSdk;
}

function rawSqs(endpoint: string, prefix: string): RawSqs {
  const sdk = loadSdk();
  const client = new sdk.SQSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const urls = new Map<string, string>();
  const queueUrl = async (queue: string): Promise<string | undefined> => {
    const name = kombuQueueName(prefix, queue);
    const known = urls.get(name);
    if (known) return known;
    try {
      const { QueueUrl } = (await client.send(new sdk.GetQueueUrlCommand({ QueueName: name }))) as { QueueUrl?: string };
      if (QueueUrl) urls.set(name, QueueUrl);
      return QueueUrl;
    } catch (err) {
      if ((err as { name?: string }).name === 'QueueDoesNotExist') return undefined;
      throw err;
    }
  };
  const mustUrl = async (queue: string): Promise<string> => {
    const url = await queueUrl(queue);
    if (!url) throw new Error(`no SQS queue ${kombuQueueName(prefix, queue)}`);
    return url;
  };
  return {
    queueUrl,
    async receive(queue, options = {}) {
      const input: Record<string, unknown> = {
        QueueUrl: await mustUrl(queue),
        MaxNumberOfMessages: options.max ?? 10,
        WaitTimeSeconds: options.waitSeconds ?? 2,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      };
      if (options.visibilityTimeout !== undefined) input['VisibilityTimeout'] = options.visibilityTimeout;
      const out = (await client.send(new sdk.ReceiveMessageCommand(input))) as { Messages?: RawSqsMessage[] };
      return out.Messages ?? [];
    },
    async counts(queue) {
      const names = ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'];
      const out = (await client.send(new sdk.GetQueueAttributesCommand({ QueueUrl: await mustUrl(queue), AttributeNames: names }))) as {
        Attributes?: Record<string, string>;
      };
      const n = (name: string): number => Number(out.Attributes?.[name] ?? 0);
      return { visible: n(names[0] ?? ''), inFlight: n(names[1] ?? ''), delayed: n(names[2] ?? '') };
    },
    destroy: () => client.destroy(),
  };
}

/**
 * Starts the emulator and a private redis-server on free ports. `name` makes the queue-name prefix
 * (`q-e2e-<name>-<random>-`), fresh per suite run.
 */
export async function sqsInterop(name: string): Promise<SqsInterop> {
  const dir = mkdtempSync(join(tmpdir(), `q-e2e-sqs-${name}-`));
  const redis = privateRedis(await freePort(), dir);
  const [started, redisStarted] = await Promise.allSettled([startSqsEmulator(), redis.start()]);
  if (started.status === 'rejected' || redisStarted.status === 'rejected') {
    // stop whichever did start
    await Promise.all([started.status === 'fulfilled' ? started.value.stop() : undefined, redis.stop()]);
    rmSync(dir, { recursive: true, force: true });
    throw started.status === 'rejected' ? started.reason : (redisStarted as PromiseRejectedResult).reason;
  }
  const emulator = started.value;
  const prefix = `q-e2e-${name}-${randomBytes(3).toString('hex')}-`;
  const transportOptions = {
    region: 'us-east-1',
    queue_name_prefix: prefix,
    wait_time_seconds: 1,
    polling_interval: 0.1,
    visibility_timeout: SQS_VISIBILITY_TIMEOUT,
  };
  const redisUrl = (db: number): string => `redis://127.0.0.1:${redis.port}/${db}`;
  const urls: InteropEnv = {
    broker: emulator.brokerUrl,
    backend: redisUrl(0),
    ledger: redisUrl(1),
    // Celery's defaults otherwise: its worker leaves remote control out by itself (kombu's SQS has no fanout)
    celeryConf: { broker_transport_options: transportOptions },
    // the repository root (where q processes run) does not depend on @q/transport-sqs: load it from e2e
    qConfig: { brokerOptions: { transportOptions }, resolveFrom: E2E_DIR },
  };
  const ledger = new Redis(urls.ledger, { maxRetriesPerRequest: 2 });
  const sqs = rawSqs(emulator.endpoint, prefix);
  return {
    emulator,
    prefix,
    transportOptions,
    urls,
    ledger,
    sqs,
    async close() {
      sqs.destroy();
      await ledger.quit().catch(() => ledger.disconnect());
      await Promise.all([emulator.stop(), redis.stop()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
