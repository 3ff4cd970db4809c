/**
 * Declarations (exchanges, queues, bindings) with the flags the core passes, which match Python Celery's (§3.1).
 * Each declaration is sent once per connection and remembered (auto-delete and `x-expires` ones on every call:
 * they can vanish meanwhile); after a reconnect all of them are replayed, so
 * queues of `auto_delete`/`exclusive` kinds and queues deleted meanwhile exist again before consumers return.
 *
 * Every broker operation runs on a short-lived channel of its own: a refused declaration or a passive check of a
 * missing queue closes only that channel, never the channels that publish or consume.
 */
import type { Channel, ChannelModel } from 'amqplib';
import type { Logger } from '@q/core';
import type { BindingDeclaration, ExchangeDeclaration, QueueDeclaration } from '@q/core/adapter';
import { replyCode, toQError } from './amqp-errors.js';
import type { AmqpConnection } from './connection.js';

/** What the topology needs from its transport. */
export interface TopologyHost {
  readonly conn: AmqpConnection;
  readonly logger: Logger;
  /** How long an operation waits for a connection that is being re-established. */
  readonly waitMs: number;
}

const bindingKey = (b: BindingDeclaration): string => JSON.stringify([b.queue, b.exchange, b.routingKey]);

/** Queue arguments with `maxPriority` folded into `x-max-priority`. */
function queueArguments(q: QueueDeclaration): Record<string, unknown> | undefined {
  const args: Record<string, unknown> = { ...(q.arguments ?? {}) };
  if (q.maxPriority !== undefined && args['x-max-priority'] === undefined) args['x-max-priority'] = q.maxPriority;
  return Object.keys(args).length > 0 ? args : undefined;
}

/**
 * Queues that can vanish while this connection lives (auto-delete, or `x-expires` when unused): declared on every
 * call, never skipped as already done (as kombu's `can_cache_declaration`), so a caller that re-declares to keep
 * one alive (the rpc reply queue) reaches the broker.
 */
const volatileQueue = (q: QueueDeclaration): boolean => q.autoDelete || q.arguments?.['x-expires'] !== undefined;

/** True for exchanges that cannot (or need not) be declared: the default exchange and `amq.*`. */
const builtinExchange = (name: string): boolean => name === '' || name.startsWith('amq.');

async function sendExchange(ch: Channel, e: ExchangeDeclaration): Promise<void> {
  await ch.assertExchange(e.name, e.type, { durable: e.durable, autoDelete: e.autoDelete, internal: false, ...(e.arguments ? { arguments: e.arguments } : {}) });
}

async function sendQueue(ch: Channel, q: QueueDeclaration): Promise<void> {
  const args = queueArguments(q);
  await ch.assertQueue(q.name, { durable: q.durable, exclusive: q.exclusive, autoDelete: q.autoDelete, ...(args ? { arguments: args } : {}) });
}

async function sendBinding(ch: Channel, b: BindingDeclaration): Promise<void> {
  await ch.bindQueue(b.queue, b.exchange, b.routingKey, b.arguments ?? {});
}

function closeQuietly(ch: Channel): void {
  ch.close().catch(() => undefined);
}

/** The declarations of one transport. */
export class Topology {
  readonly #host: TopologyHost;
  readonly #exchanges = new Map<string, ExchangeDeclaration>();
  readonly #queues = new Map<string, QueueDeclaration>();
  readonly #bindings = new Map<string, BindingDeclaration>();

  constructor(host: TopologyHost) {
    this.#host = host;
  }

  /** True when `queue` was declared through this transport. */
  knowsQueue(queue: string): boolean {
    return this.#queues.has(queue);
  }

  /** Forget everything (the transport closed). */
  clear(): void {
    this.#exchanges.clear();
    this.#queues.clear();
    this.#bindings.clear();
  }

  async declareExchange(e: ExchangeDeclaration): Promise<void> {
    if (builtinExchange(e.name)) return;
    const known = this.#exchanges.get(e.name);
    if (known && !e.autoDelete && JSON.stringify(known) === JSON.stringify(e)) return;
    await this.#run(`declare exchange "${e.name}"`, (ch) => sendExchange(ch, e));
    this.#exchanges.set(e.name, { ...e });
  }

  async declareQueue(q: QueueDeclaration): Promise<void> {
    const known = this.#queues.get(q.name);
    if (known && !volatileQueue(q) && JSON.stringify(known) === JSON.stringify(q)) return;
    await this.#run(`declare queue "${q.name}"`, (ch) => sendQueue(ch, q));
    this.#queues.set(q.name, { ...q });
  }

  async bindQueue(b: BindingDeclaration): Promise<void> {
    if (b.exchange === '') return;
    const key = bindingKey(b);
    const known = this.#bindings.get(key);
    if (known && JSON.stringify(known) === JSON.stringify(b)) return;
    await this.#run(`bind queue "${b.queue}" to "${b.exchange}"`, (ch) => sendBinding(ch, b));
    this.#bindings.set(key, { ...b });
  }

  /** Declares `queue` again with its bindings and their exchanges (after the broker deleted it). */
  async redeclareQueue(queue: string): Promise<void> {
    const q = this.#queues.get(queue);
    if (!q) return;
    const bindings = [...this.#bindings.values()].filter((b) => b.queue === queue);
    await this.#run(`declare queue "${queue}" again`, async (ch) => {
      for (const b of bindings) {
        const e = this.#exchanges.get(b.exchange);
        if (e) await sendExchange(ch, e);
      }
      await sendQueue(ch, q);
      for (const b of bindings) await sendBinding(ch, b);
    });
  }

  /** Ready messages of `queue` (passive declare); a missing queue has none. */
  async messageCount(queue: string): Promise<number | null> {
    try {
      return (await this.#run(`check queue "${queue}"`, (ch) => ch.checkQueue(queue))).messageCount;
    } catch (err) {
      if (replyCode((err as { cause?: unknown }).cause) === 404) return null;
      throw err;
    }
  }

  /** Removes the ready messages of `queue`; a missing queue has none. */
  async purge(queue: string): Promise<number> {
    try {
      return (await this.#run(`purge queue "${queue}"`, (ch) => ch.purgeQueue(queue))).messageCount;
    } catch (err) {
      if (replyCode((err as { cause?: unknown }).cause) === 404) return 0;
      throw err;
    }
  }

  /**
   * Sends every remembered declaration on `model` (after a reconnect). A refused declaration is logged and skipped
   * (its channel is replaced); a lost connection makes it throw.
   */
  async replay(model: ChannelModel): Promise<void> {
    const steps: [string, (ch: Channel) => Promise<void>][] = [
      ...[...this.#exchanges.values()].map((e): [string, (ch: Channel) => Promise<void>] => [`exchange "${e.name}"`, (ch) => sendExchange(ch, e)]),
      ...[...this.#queues.values()].map((q): [string, (ch: Channel) => Promise<void>] => [`queue "${q.name}"`, (ch) => sendQueue(ch, q)]),
      ...[...this.#bindings.values()].map((b): [string, (ch: Channel) => Promise<void>] => [
        `binding "${b.queue}" → "${b.exchange}" (${b.routingKey})`,
        (ch) => sendBinding(ch, b),
      ]),
    ];
    if (steps.length === 0) return;
    let ch: Channel | null = null;
    try {
      for (const [what, step] of steps) {
        ch ??= await openChannel(model);
        try {
          await step(ch);
        } catch (err) {
          if (replyCode(err) === null) throw err;
          this.#host.logger.error({ err: (err as Error).message }, `the broker refused to re-declare ${what} after reconnecting: ${(err as Error).message}`);
          ch = null;
        }
      }
      this.#host.logger.debug({ declarations: steps.length }, 'AMQP declarations restored');
    } finally {
      if (ch) closeQuietly(ch);
    }
  }

  async #run<T>(op: string, fn: (ch: Channel) => Promise<T>): Promise<T> {
    const { conn } = this.#host;
    let ch: Channel | null = null;
    try {
      const model = await conn.ready(this.#host.waitMs);
      ch = await openChannel(model);
      return await fn(ch);
    } catch (err) {
      throw toQError(err, op, conn.where);
    } finally {
      if (ch) closeQuietly(ch);
    }
  }
}

/** A channel whose errors are reported through the operations that fail, not as unhandled events. */
export async function openChannel(model: ChannelModel): Promise<Channel> {
  const ch = await model.createChannel();
  ch.on('error', () => undefined);
  return ch;
}
