/**
 * Queue URLs, kombu's `_new_queue`: the URLs listed at connect (ListQueues with the prefix, which also checks the
 * credentials), else GetQueueUrl, else CreateQueue (VisibilityTimeout, FifoQueue, `sqs-creation-attributes`, and a
 * RedrivePolicy when `deadLetterQueue` is set). Predefined queues skip listing and creation. Concurrent first uses
 * of a queue share one lookup/creation.
 */
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { ConfigError } from '@q/core';
import type { ResolvedSqsOptions } from './options.js';
import { isFifoQueue, sqsQueueName } from './queue-name.js';
import type { SqsClients } from './sqs-clients.js';
import { guarded, isMissingQueue, toQError } from './sqs-errors.js';

/** Where a queue lives. */
export interface QueueRef {
  /** The SQS queue name. */
  readonly name: string;
  readonly url: string;
  readonly client: SQSClient;
  readonly fifo: boolean;
}

/** A queue's dead-letter queue (from its RedrivePolicy). */
export interface DeadLetterRef {
  readonly name: string;
  readonly url: string;
  readonly maxReceiveCount: number;
}

/** Resolves and creates queues for one driver. */
export class QueueDirectory {
  readonly #options: ResolvedSqsOptions;
  readonly #clients: SqsClients;
  readonly #where: string;
  /** SQS name → URL, from ListQueues and lookups. */
  readonly #urls = new Map<string, string>();
  readonly #refs = new Map<string, Promise<QueueRef>>();
  readonly #redrive = new Map<string, Promise<DeadLetterRef | null>>();

  constructor(options: ResolvedSqsOptions, clients: SqsClients, where: string) {
    this.#options = options;
    this.#clients = clients;
    this.#where = where;
  }

  /** Lists the queues with the prefix (also the credential check); predefined queues are checked with GetQueueAttributes. */
  async load(): Promise<void> {
    const predefined = this.#options.predefinedQueues;
    if (predefined) {
      await Promise.all(Object.keys(predefined).map((q) => this.ref(q)));
      return;
    }
    let token: string | undefined;
    do {
      const prefix = this.#options.queueNamePrefix === '' ? undefined : sqsQueueName('', this.#options.queueNamePrefix);
      const page = await guarded('ListQueues', this.#where, () =>
        this.#clients.main.send(new ListQueuesCommand({ ...(prefix ? { QueueNamePrefix: prefix } : {}), ...(token ? { NextToken: token } : {}), MaxResults: 1000 })),
      );
      for (const url of page.QueueUrls ?? []) this.#urls.set(url.slice(url.lastIndexOf('/') + 1), url);
      token = page.NextToken;
    } while (token);
  }

  /** The queue of kombu queue `queue`, created if needed. @throws ConfigError for a queue not among the predefined ones. */
  ref(queue: string): Promise<QueueRef> {
    let ref = this.#refs.get(queue);
    if (!ref) {
      ref = this.#resolve(queue, true) as Promise<QueueRef>;
      this.#refs.set(queue, ref);
      ref.catch(() => this.#refs.delete(queue));
    }
    return ref;
  }

  /** The queue if it exists (nothing is created), else `null`. */
  async existing(queue: string): Promise<QueueRef | null> {
    const known = this.#refs.get(queue);
    if (known) return known;
    return this.#resolve(queue, false);
  }

  async #resolve(queue: string, create: boolean): Promise<QueueRef | null> {
    const predefined = this.#options.predefinedQueues;
    if (predefined) {
      const p = predefined[queue];
      if (!p) {
        throw new ConfigError(
          'Q_ERR_CONFIG_INVALID',
          `SQS queue "${queue}" is not among the predefined_queues (${Object.keys(predefined).join(', ') || 'none'}): with predefined queues q neither lists nor creates queues`,
        );
      }
      const credentials = p.accessKeyId !== undefined && p.secretAccessKey !== undefined ? { accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey } : undefined;
      const client = this.#clients.forQueue(credentials, p.region);
      const ref: QueueRef = { name: p.url.slice(p.url.lastIndexOf('/') + 1), url: p.url, client, fifo: isFifoQueue(queue) };
      try {
        await client.send(new GetQueueAttributesCommand({ QueueUrl: p.url, AttributeNames: ['QueueArn'] }));
      } catch (err) {
        if (isMissingQueue(err)) throw new ConfigError('Q_ERR_CONFIG_INVALID', `predefined SQS queue "${queue}" (${p.url}) does not exist`, { cause: err });
        throw toQError(err, 'GetQueueAttributes', p.url);
      }
      return ref;
    }
    const name = sqsQueueName(queue, this.#options.queueNamePrefix);
    const client = this.#clients.main;
    const fifo = isFifoQueue(name);
    const listed = this.#urls.get(name);
    if (listed) return { name, url: listed, client, fifo };
    try {
      const found = await client.send(new GetQueueUrlCommand({ QueueName: name }));
      if (found.QueueUrl) {
        this.#urls.set(name, found.QueueUrl);
        return { name, url: found.QueueUrl, client, fifo };
      }
    } catch (err) {
      if (!isMissingQueue(err)) throw toQError(err, 'GetQueueUrl', this.#where);
    }
    if (!create) return null;
    const url = await this.#create(name, queue, fifo);
    this.#urls.set(name, url);
    return { name, url, client, fifo };
  }

  async #create(name: string, queue: string, fifo: boolean): Promise<string> {
    const o = this.#options;
    const attributes: Record<string, string> = { VisibilityTimeout: String(Math.ceil(o.visibilityTimeoutMs / 1000)) };
    if (fifo) attributes['FifoQueue'] = 'true';
    Object.assign(attributes, o.creationAttributes);
    const dlq = deadLetterQueueFor(queue, o.deadLetterQueue);
    if (dlq !== undefined) {
      const target = await this.ref(dlq);
      const arn = await guarded('GetQueueAttributes', this.#where, () =>
        target.client.send(new GetQueueAttributesCommand({ QueueUrl: target.url, AttributeNames: ['QueueArn'] })),
      );
      const targetArn = arn.Attributes?.['QueueArn'];
      if (targetArn) attributes['RedrivePolicy'] = JSON.stringify({ deadLetterTargetArn: targetArn, maxReceiveCount: o.maxReceiveCount });
    }
    const created = await guarded('CreateQueue', this.#where, () => this.#clients.main.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes })));
    o.logger.debug({ queue: name, attributes }, 'created SQS queue');
    return created.QueueUrl ?? '';
  }

  /** The dead-letter queue of `queue` from its RedrivePolicy (read once), or `null`. */
  deadLetter(queue: string): Promise<DeadLetterRef | null> {
    let found = this.#redrive.get(queue);
    if (!found) {
      found = this.#readRedrive(queue);
      this.#redrive.set(queue, found);
      found.catch(() => this.#redrive.delete(queue));
    }
    return found;
  }

  async #readRedrive(queue: string): Promise<DeadLetterRef | null> {
    const ref = await this.ref(queue);
    const got = await guarded('GetQueueAttributes', this.#where, () =>
      ref.client.send(new GetQueueAttributesCommand({ QueueUrl: ref.url, AttributeNames: ['RedrivePolicy'] })),
    );
    const raw = got.Attributes?.['RedrivePolicy'];
    if (!raw) return null;
    const policy = JSON.parse(raw) as { deadLetterTargetArn?: string; maxReceiveCount?: number | string };
    const arn = policy.deadLetterTargetArn ?? '';
    const [, , , , account, name] = arn.split(':');
    if (!name) return null;
    const url = await guarded('GetQueueUrl', this.#where, () =>
      ref.client.send(new GetQueueUrlCommand({ QueueName: name, ...(account ? { QueueOwnerAWSAccountId: account } : {}) })),
    );
    return { name, url: url.QueueUrl ?? '', maxReceiveCount: Number(policy.maxReceiveCount ?? 0) };
  }
}

/**
 * The dead-letter queue for `queue`: none for the dead-letter queue itself; a FIFO queue needs a FIFO dead-letter
 * queue, so `.fifo` is appended to the name for FIFO queues.
 */
export function deadLetterQueueFor(queue: string, deadLetterQueue: string | undefined): string | undefined {
  if (deadLetterQueue === undefined || deadLetterQueue === '') return undefined;
  const target = isFifoQueue(queue) && !isFifoQueue(deadLetterQueue) ? `${deadLetterQueue}.fifo` : deadLetterQueue;
  if (target === queue || deadLetterQueue === queue) return undefined;
  return target;
}
