/**
 * `rpcBackend()`: Celery's `rpc://` result backend. Results are not stored anywhere: the worker sends each state
 * (STARTED when tracked, RETRY, the final one) as a message to the caller's reply queue (the task's `reply_to`,
 * the client's oid), and the client consumes that queue, keeping the latest state per task id.
 *
 * It rides on the app's broker: the app `attach`es it (oid, transport, `result.expires`, `result.persistent`).
 * The reply queue is declared before the first task that expects a result is sent (`onTaskCall`, Celery's
 * `on_task_call`) and consumed from the first read (`getTaskMeta` / `watch`), so `AsyncResult.get()` is woken
 * by push, without polling. `close()` ends the watches (their `onEnd`: `ConnectionError` `Q_ERR_CONNECTION_LOST`),
 * so a `get()` waiting when the app closes rejects at once.
 */
import { BackendError, ConfigError, ConnectionError, silentLogger } from '@q/core';
import { LiveSubscriptions, PerTransportConsumer, withPublishRetry } from '@q/core/adapter';
import type { Logger, ResultBackend, TaskMeta, Transport } from '@q/core';
import type { BackendHost, Delivery, ResultBackendCapabilities, StoreOptions } from '@q/core/adapter';
import { resolveRpcOptions, type ResolvedRpcBackendOptions, type RpcBackendOptions } from './options.js';
import { ReplyBuffer } from './reply-buffer.js';
import { REPLY_EXCHANGE, readReply, replyMessage, replyQueue } from './reply-message.js';

/** What the rpc backend supports: push, nothing else; results are read by the caller only. */
export const RPC_BACKEND_CAPABILITIES: ResultBackendCapabilities = Object.freeze({
  push: true,
  chords: 'none',
  groups: false,
  // The reply queue expires when unused (`x-expires`); single results have no expiry of their own.
  autoExpire: false,
  readers: 'caller',
});

/** Celery's `RPCBackend.retry_policy` for publishing a result: 20 retries, 0 s then 1 s apart. */
const PUBLISH_RETRY_POLICY = Object.freeze({ maxRetries: 20, intervalStart: 0, intervalStep: 1, intervalMax: 1 });

/** The rpc result backend. */
export class RpcBackend implements ResultBackend {
  readonly capabilities = RPC_BACKEND_CAPABILITIES;
  readonly #options: ResolvedRpcBackendOptions;
  readonly #buffer: ReplyBuffer;
  #host: BackendHost | null = null;
  #connected = false;
  /** The last declaration of the reply queue (per transport; refreshed before `x-expires` could run out). */
  #declared: { transport: Transport; at: number; done: Promise<void> } | null = null;
  readonly #consumer = new PerTransportConsumer('rpc reply consumer', () => this.#log);
  /** Counts `close()`s: a watch set up across one rejects instead of being left unconsumed. */
  #closes = 0;
  /** The active watches (each one's end removes its watcher, then calls its `onEnd`). */
  readonly #watching = new LiveSubscriptions();

  constructor(options: RpcBackendOptions = {}) {
    this.#options = resolveRpcOptions(options);
    this.#buffer = new ReplyBuffer(this.#options.maxBuffered, () => this.#log);
  }

  get #log(): Logger {
    return this.#options.logger ?? this.#host?.logger ?? silentLogger;
  }

  /** The oid whose reply queue this backend reads (the attached app's), or null before `attach`. */
  get replyTo(): string | null {
    return this.#host?.oid ?? null;
  }

  /**
   * Binds the backend to its app. One instance serves one app: attaching it to another app while connected
   * throws `Q_ERR_CONFIG_INVALID` (give each app its own `rpcBackend()`).
   */
  attach(host: BackendHost): void {
    if (this.#connected && this.#host && this.#host.oid !== host.oid) {
      throw new ConfigError('Q_ERR_CONFIG_INVALID', 'this rpcBackend() is connected to another app: give each app its own rpcBackend()');
    }
    this.#host = host;
  }

  async connect(): Promise<void> {
    this.#requireHost();
    this.#connected = true;
  }

  /**
   * Stops consuming the reply queue and ends the active watches with `ConnectionError` `Q_ERR_CONNECTION_LOST`
   * (a waiting `get()` rejects with it). Received states stay readable if the app connects again.
   */
  async close(): Promise<void> {
    this.#connected = false;
    this.#closes++;
    this.#declared = null;
    this.#endWatches();
    await this.#consumer.close();
  }

  /** Declares the reply queue before a task that expects a result is sent (Celery's `on_task_call`). */
  async onTaskCall(): Promise<void> {
    const host = this.#requireHost();
    await this.#declare(host, await host.transport());
  }

  /** Sends `meta` to the task's reply queue (`options.replyTo`). Without a `replyTo` nothing can be sent: logged, skipped. */
  async storeResult(meta: TaskMeta, options: StoreOptions): Promise<void> {
    const host = this.#requireHost();
    const replyTo = options.replyTo;
    if (!replyTo) {
      this.#log.warn({ taskId: meta.taskId, state: meta.status }, `no reply_to on task ${meta.taskId}: its ${meta.status} state is not sent`);
      return;
    }
    const message = replyMessage(meta, options.correlationId || meta.taskId, this.#options.persistent ?? host.resultPersistent);
    await withPublishRetry(
      async () => (await host.transport()).publish(message, { exchange: REPLY_EXCHANGE, routingKey: replyTo, exchangeType: 'direct' }),
      PUBLISH_RETRY_POLICY,
      (err, attempt) => this.#log.warn({ err, taskId: meta.taskId, attempt }, 'could not send an rpc result, retrying'),
    );
  }

  /** The latest state received for `taskId`, or null (PENDING). Starts consuming the reply queue on first use. */
  async getTaskMeta(taskId: string): Promise<TaskMeta | null> {
    await this.#consume();
    return this.#buffer.get(taskId);
  }

  async getMany(taskIds: readonly string[]): Promise<(TaskMeta | null)[]> {
    await this.#consume();
    return taskIds.map((id) => this.#buffer.get(id));
  }

  /**
   * Calls `onMeta` with every state of `taskId` this client receives until unsubscribed, or until `close()`, which
   * calls `onEnd` (a watch still being set up then rejects with the same error).
   */
  async watch(taskId: string, onMeta: (meta: TaskMeta) => void, onEnd?: (error: Error) => void): Promise<() => Promise<void>> {
    const closes = this.#closes;
    await this.#consume();
    if (this.#closes !== closes) throw this.#closedError();
    const off = this.#buffer.watch(taskId, onMeta);
    const forget = this.#watching.add((error) => {
      off();
      onEnd?.(error);
    });
    return async () => {
      forget();
      off();
    };
  }

  /**
   * Drops the state this client kept for `taskId` (it then reads PENDING). Nothing is stored remotely, so there
   * is nothing else to delete; Celery's rpc backend raises `NotImplementedError` here instead.
   */
  async forget(taskId: string): Promise<void> {
    this.#buffer.forget(taskId);
  }

  describe(): string {
    return 'rpc://';
  }

  #closedError(): ConnectionError {
    const queue = this.#host ? ` (reply queue ${this.#host.oid})` : '';
    return new ConnectionError('Q_ERR_CONNECTION_LOST', `rpc backend is closed${queue}`, { retryable: true });
  }

  #endWatches(): void {
    if (this.#watching.size === 0) return;
    this.#watching.endAll(this.#closedError(), (err) => this.#log.error({ err }, 'rpc backend: ending a result watch threw'));
  }

  #requireHost(): BackendHost {
    if (this.#host) return this.#host;
    throw new BackendError(
      'Q_ERR_BACKEND_FAILED',
      'the rpc backend is not attached to an app: give it to createApp({ backend: rpcBackend() }) (or call attach(host))',
    );
  }

  /** Declares the reply queue once per transport, again when half its `x-expires` has passed (Celery declares on every send). */
  async #declare(host: BackendHost, transport: Transport): Promise<void> {
    const now = Date.now();
    const last = this.#declared;
    const fresh = host.resultExpiresMs === null || now - (last?.at ?? 0) < host.resultExpiresMs / 2;
    if (last && last.transport === transport && fresh) return last.done;
    const done = transport.declareQueue(replyQueue(host.oid, host.resultExpiresMs));
    const entry = { transport, at: now, done };
    this.#declared = entry;
    try {
      await done;
    } catch (err) {
      if (this.#declared === entry) this.#declared = null;
      throw err;
    }
  }

  /** Consumes the reply queue (declared first) on the app's current transport, once. */
  async #consume(): Promise<void> {
    const host = this.#requireHost();
    await this.#consumer.ensure(await host.transport(), async (transport) => {
      await this.#declare(host, transport);
      return transport.consume(host.oid, (delivery) => this.#onReply(delivery), { prefetch: 0, noAck: true, tag: `rpc-${host.oid}` });
    });
  }

  /** A reply arrived (already acked: the queue is consumed with `noAck`, as Celery does). */
  #onReply(delivery: Delivery): void {
    let meta: TaskMeta;
    try {
      meta = readReply(delivery.message);
    } catch (err) {
      this.#log.warn({ err, queue: delivery.info.queue, deliveryTag: delivery.info.deliveryTag }, 'unreadable rpc reply dropped');
      return;
    }
    this.#buffer.put(meta);
  }
}

/**
 * Celery's rpc result backend. Give it to `createApp({ backend: rpcBackend() })`, or name it by URL
 * (`backend: 'rpc://'`). One instance per app.
 */
export function rpcBackend(options: RpcBackendOptions = {}): RpcBackend {
  return new RpcBackend(options);
}
