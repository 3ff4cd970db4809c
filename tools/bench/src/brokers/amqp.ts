/**
 * RabbitMQ as the broker, in the bench's own vhost `q-bench` (created at start, deleted at the end and on any
 * exit). The harness has its own amqplib connection with two channels: one for queue checks and reads, one
 * in confirm mode for filling.
 *
 * Drain progress, without the management plugin (its statistics are sampled every few seconds) and without
 * `rabbitmqctl` (hundreds of ms a call): every pre-loaded task names the harness's reply queue as `reply_to`,
 * and both workers run with the rpc result backend, so a task that stores its result sends it there.
 * - taken = messages filled − ready messages in `celery` (`queue.declare` passive: one round trip);
 * - results on: finished = messages in the reply queue (nobody consumes it during the drain, so RabbitMQ only
 *   enqueues them; after the drain they are read and checked: one SUCCESS per task id, none twice);
 * - results off: the tasks carry `ignore_result: true` (Celery 5.2.6 and q both skip storing then) and one last
 *   sentinel task does not; finished = its result arrived (after the drain: it is the only reply).
 */
import { connect } from 'amqplib';
import type { Channel, ChannelModel, ConfirmChannel } from 'amqplib';
import { AMQP_URL, AMQP_VHOST, QUEUE, REPLY_QUEUE } from '../config.js';
import { publishCopies } from './amqp-fill.js';
import { createVhost, deleteVhost, queueNames } from './rabbitmqctl.js';
import type { Broker, Progress } from './types.js';

/** The reply queue, declared flag for flag as Celery's rpc backend declares its own (1 day `x-expires`). */
const REPLY_QUEUE_OPTIONS = { durable: false, exclusive: false, autoDelete: true, arguments: { 'x-expires': 86_400_000 } } as const;
const READ_REPLIES_MS = 20_000;

interface Reply {
  status?: unknown;
  task_id?: unknown;
}

/** RabbitMQ, vhost `q-bench`. */
export class AmqpBroker implements Broker {
  readonly name = 'amqp' as const;
  readonly title = 'RabbitMQ';
  readonly url = AMQP_URL;
  readonly #conn: ChannelModel;
  #channel: Channel | null = null;
  #confirm: ConfirmChannel | null = null;
  /** Task ids of the last fill (the sentinel's last) and whether it ended with a sentinel. */
  #filled: { ids: string[]; sentinel: boolean } | null = null;
  #closed = false;
  readonly #onExit = (): void => void deleteVhost(AMQP_VHOST);

  private constructor(conn: ChannelModel) {
    this.#conn = conn;
    conn.on('error', () => undefined); // a close follows; the next operation reports it
    process.on('exit', this.#onExit);
  }

  /** Creates the vhost afresh and connects to it. */
  static async open(): Promise<AmqpBroker> {
    createVhost(AMQP_VHOST);
    try {
      return new AmqpBroker(await connect(AMQP_URL, { clientProperties: { connection_name: 'q-bench harness' } }));
    } catch (err) {
      deleteVhost(AMQP_VHOST);
      throw err;
    }
  }

  /** Both Celery and q workers always get the rpc backend (results off: the tasks say `ignore_result`). */
  resultBackend(): string {
    return 'rpc://';
  }

  async version(): Promise<string> {
    return this.#conn.connection.serverProperties.version;
  }

  /** A channel for checks and reads (a new one after an error closed the last). */
  async #ch(): Promise<Channel> {
    if (!this.#channel) {
      const ch = await this.#conn.createChannel();
      ch.on('error', () => undefined);
      ch.on('close', () => {
        if (this.#channel === ch) this.#channel = null;
      });
      this.#channel = ch;
    }
    return this.#channel;
  }

  async #confirmCh(): Promise<ConfirmChannel> {
    if (!this.#confirm) {
      const ch = await this.#conn.createConfirmChannel();
      ch.on('error', () => undefined);
      ch.on('close', () => {
        if (this.#confirm === ch) this.#confirm = null;
      });
      this.#confirm = ch;
    }
    return this.#confirm;
  }

  /** Deletes every queue of the vhost (whoever declared it), then declares the reply queue afresh. */
  async reset(): Promise<void> {
    const ch = await this.#ch();
    for (const name of queueNames(AMQP_VHOST)) await ch.deleteQueue(name);
    await ch.assertQueue(REPLY_QUEUE, REPLY_QUEUE_OPTIONS);
    this.#filled = null;
  }

  async fill(n: number, results: boolean): Promise<void> {
    const ch = await this.#ch();
    const before = await ch.checkQueue(QUEUE).catch((err: unknown) => {
      throw new Error(`the client did not declare queue ${QUEUE}: ${err instanceof Error ? err.message : String(err)}`);
    });
    if (before.messageCount !== 1) throw new Error(`expected exactly one template message in ${QUEUE}, found ${before.messageCount}`);
    const template = await (await this.#ch()).get(QUEUE, { noAck: true });
    if (!template) throw new Error(`the template message in ${QUEUE} is gone`);
    const sentinel = !results;
    const ids = await publishCopies(await this.#confirmCh(), template, { n, ignoreResult: !results, sentinel, replyTo: REPLY_QUEUE });
    this.#filled = { ids, sentinel };
    const after = await (await this.#ch()).checkQueue(QUEUE);
    if (after.messageCount !== ids.length) throw new Error(`pre-loaded ${after.messageCount} messages into ${QUEUE}, expected ${ids.length}`);
  }

  async progress(n: number, results: boolean): Promise<Progress> {
    const ch = await this.#ch();
    const [work, replies] = await Promise.all([ch.checkQueue(QUEUE), ch.checkQueue(REPLY_QUEUE)]);
    const total = n + (this.#filled?.sentinel ? 1 : 0);
    const finished = results ? replies.messageCount : replies.messageCount > 0 ? n : 0;
    return { taken: total - work.messageCount, finished };
  }

  /** Reads every reply: one SUCCESS per filled task (results off: only the sentinel's), nothing else. */
  async checkDrain(n: number, results: boolean): Promise<void> {
    const filled = this.#filled;
    if (!filled) throw new Error('checkDrain without a fill');
    const expected = results ? filled.ids.slice(0, n) : filled.ids.slice(n);
    const ch = await this.#ch();
    const { messageCount } = await ch.checkQueue(REPLY_QUEUE);
    if (messageCount !== expected.length) {
      throw new Error(`${messageCount} replies in ${REPLY_QUEUE}, expected ${expected.length}${results ? '' : ' (only the sentinel: the others say ignore_result)'}`);
    }
    const pending = new Set(expected);
    const problems: string[] = [];
    let done: () => void = () => undefined;
    const all = new Promise<void>((resolve) => (done = resolve));
    const { consumerTag } = await ch.consume(
      REPLY_QUEUE,
      (msg) => {
        if (!msg) return;
        let reply: Reply;
        try {
          reply = JSON.parse(msg.content.toString('utf8')) as Reply;
        } catch {
          problems.push(`unreadable reply ${msg.content.toString('utf8').slice(0, 80)}`);
          return;
        }
        if (reply.status !== 'SUCCESS') problems.push(`reply with status ${String(reply.status)}`);
        if (typeof reply.task_id !== 'string' || !pending.delete(reply.task_id)) problems.push(`unexpected or repeated reply for ${String(reply.task_id)}`);
        if (pending.size === 0) done();
      },
      { noAck: true },
    );
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([all, new Promise((resolve) => (timer = setTimeout(resolve, READ_REPLIES_MS)))]);
    clearTimeout(timer);
    await ch.cancel(consumerTag);
    if (pending.size > 0) problems.push(`${pending.size} tasks without a reply`);
    if (problems.length > 0) throw new Error(`replies: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? ` (${problems.length} problems)` : ''}`);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#conn.close().catch(() => undefined);
    deleteVhost(AMQP_VHOST);
    process.off('exit', this.#onExit);
  }
}
