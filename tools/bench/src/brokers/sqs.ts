/**
 * Amazon SQS as the broker, on the emulator of `@q/test-services` (fauxqs + a Query/XML gateway) run as its own
 * process, with a private in-memory redis-server as the result backend of both peers (see `sqs-services.ts`).
 *
 * - Every scenario gets a fresh queue prefix (`bench-<pid>-<n>-`, kombu's `queue_name_prefix`), given to every
 *   client and worker as kombu transport options (`transportOptions()`); the previous scenario's queues are deleted.
 * - Filling: see `sqs-fill.ts` (the peer's own client sends the template, the harness copies it with
 *   SendMessageBatch in kombu's format).
 * - Progress, from the harness's own GetQueueAttributes every few ms (the emulator's counts are exact):
 *   taken = filled − visible messages; results off: finished = filled − visible − in flight (both peers ack, i.e.
 *   DeleteMessage, before running, as Celery does by default); results on: finished = result keys (keys with a
 *   TTL) in the private Redis.
 */
import { Redis } from 'ioredis';
import { QUEUE } from '../config.js';
import { SqsApi } from './sqs-api.js';
import { cloneSqsQueue } from './sqs-fill.js';
import { emulatorVersion, startEmulator, startResultsRedis } from './sqs-services.js';
import type { ServiceProcess } from './sqs-services.js';
import type { Broker, Progress } from './types.js';

/** The region both peers are configured with (kombu's default). */
export const SQS_REGION = 'us-east-1';
/**
 * Long polling of both peers (kombu's `wait_time_seconds`; kombu's default is 10). A receive on a queue with messages
 * returns at once, and on an empty one as soon as a message arrives, so the wait changes neither drain rates nor round
 * trips; it bounds how long a stopping worker waits for its last poll (q's worker lets its polls end rather than drop
 * what they bring in), which must stay under the harness's stop grace (`LIMITS.stopGraceMs`).
 */
export const SQS_WAIT_TIME_SECONDS = 2;
/** How often the harness reads the queue's counts: every request costs the emulator (shared by both sides) some CPU. */
const POLL_MS = 10;

/** Keys with a time to live in db 0 of the private Redis (result documents are stored with one). */
async function keysWithTtl(redis: Redis): Promise<number> {
  const info = await redis.info('keyspace');
  const match = /^db0:keys=\d+,expires=(\d+)/m.exec(info);
  return match?.[1] ? Number(match[1]) : 0;
}

/** SQS on the emulator. */
export class SqsBroker implements Broker {
  readonly name = 'sqs' as const;
  readonly title = 'SQS (emulator)';
  readonly url: string;
  readonly pollMs = POLL_MS;
  readonly #api: SqsApi;
  readonly #emulator: ServiceProcess;
  readonly #results: ServiceProcess;
  readonly #redis: Redis;
  #scenario = 0;
  #prefix = '';
  #queueUrl: string | null = null;
  #closed = false;

  private constructor(emulator: ServiceProcess, results: ServiceProcess, redis: Redis) {
    this.#emulator = emulator;
    this.#results = results;
    this.#redis = redis;
    this.url = `sqs://test:test@127.0.0.1:${emulator.port}`;
    this.#api = new SqsApi(`http://127.0.0.1:${emulator.port}`);
    this.#prefix = this.#nextPrefix();
  }

  /** Starts the emulator and the private Redis, each its own process. */
  static async open(): Promise<SqsBroker> {
    const ping = async (port: number): Promise<boolean> => {
      const r = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      r.on('error', () => undefined); // not up yet: connect() rejects
      try {
        await r.connect();
        return (await r.ping()) === 'PONG';
      } finally {
        r.disconnect();
      }
    };
    const results = await startResultsRedis(ping);
    let emulator: ServiceProcess | null = null;
    try {
      emulator = await startEmulator();
      const redis = new Redis({ host: '127.0.0.1', port: results.port, lazyConnect: true, maxRetriesPerRequest: 2 });
      await redis.connect();
      return new SqsBroker(emulator, results, redis);
    } catch (err) {
      await emulator?.stop();
      await results.stop();
      throw err;
    }
  }

  #nextPrefix(): string {
    this.#scenario += 1;
    return `bench-${process.pid}-${this.#scenario}-`;
  }

  /** The SQS queue the peers use in this scenario (kombu's name: prefix + `celery`). */
  get queueName(): string {
    return `${this.#prefix}${QUEUE}`;
  }

  /** kombu transport options of this scenario, the same for both peers' clients and workers. */
  transportOptions(): Record<string, unknown> {
    return { region: SQS_REGION, queue_name_prefix: this.#prefix, wait_time_seconds: SQS_WAIT_TIME_SECONDS };
  }

  /** Results on: the private Redis (db 0); results off: no backend at all. */
  resultBackend(results: boolean): string | null {
    return results ? `redis://127.0.0.1:${this.#results.port}/0` : null;
  }

  async version(): Promise<string> {
    return emulatorVersion();
  }

  /** Deletes the last scenario's queues, empties the private Redis, and takes a fresh queue prefix. */
  async reset(): Promise<void> {
    for (const url of await this.#api.listQueues(this.#prefix)) await this.#api.deleteQueue(url);
    await this.#redis.flushdb();
    this.#prefix = this.#nextPrefix();
    this.#queueUrl = null;
  }

  async #url(): Promise<string | null> {
    this.#queueUrl ??= await this.#api.queueUrl(this.queueName);
    return this.#queueUrl;
  }

  async fill(n: number): Promise<void> {
    const url = await this.#url();
    if (!url) throw new Error(`the client did not create queue ${this.queueName}`);
    await cloneSqsQueue(this.#api, url, n);
  }

  async progress(n: number, results: boolean): Promise<Progress> {
    const url = await this.#url();
    if (!url) return { taken: 0, finished: 0 };
    const [{ visible, inFlight }, stored] = await Promise.all([this.#api.counts(url), results ? keysWithTtl(this.#redis) : Promise.resolve(0)]);
    return { taken: n - visible, finished: results ? stored : n - visible - inFlight };
  }

  /** Nothing may be left in the queue, visible or in flight (every message deleted = acknowledged once). */
  async checkDrain(n: number, results: boolean): Promise<void> {
    const url = await this.#url();
    if (!url) throw new Error(`queue ${this.queueName} is gone`);
    const { visible, inFlight } = await this.#api.counts(url);
    if (visible !== 0 || inFlight !== 0) throw new Error(`after draining ${n} tasks ${this.queueName} still holds ${visible} messages (+${inFlight} in flight)`);
    if (results) {
      const stored = await keysWithTtl(this.#redis);
      if (stored !== n) throw new Error(`${stored} results stored for ${n} tasks`);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#redis.disconnect();
    await Promise.all([this.#emulator.stop(), this.#results.stop()]);
  }
}
