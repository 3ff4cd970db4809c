/**
 * The AMQP connection of a transport: connects to the first reachable broker of the (failover) URL list, and
 * after a loss reconnects forever with exponential backoff, trying the next broker each time, until `close()`.
 * After every reconnect a setup step (the transport replays its declarations) runs before anyone waiting in
 * {@link AmqpConnection.ready} gets the new connection, so channels reopened by consumers find their queues.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { ChannelModel, Options, SocketOptions } from 'amqplib';
import { ConnectionError, type Logger } from '@q/core';
import { connectError } from './amqp-errors.js';
import { amqplib } from './codec/amqplib-loader.js';
import type { ResolvedAmqpOptions } from './options.js';
import { maskAmqpUrl, type AmqpEndpoint } from './url.js';
import { batchSocketWrites } from './write-batching.js';

/** Connection states. */
export type State = 'idle' | 'connecting' | 'open' | 'recovering' | 'closed';

interface Waiter {
  resolve(model: ChannelModel): void;
  reject(error: Error): void;
}

/** Exponential backoff: `base × 2^attempt`, at most `max`. */
export function backoff(base: number, max: number, attempt: number): number {
  return Math.min(max, base * 2 ** Math.min(attempt, 20));
}

/** One logical connection to the broker (a failover list of endpoints). */
export class AmqpConnection {
  readonly #o: ResolvedAmqpOptions;
  readonly #log: Logger;
  readonly #setup: (model: ChannelModel) => Promise<void>;
  #model: ChannelModel | null = null;
  #state: State = 'idle';
  #connecting: Promise<void> | null = null;
  #waiters = new Set<Waiter>();
  #next = 0;
  #epoch = 0;
  #abort = new AbortController();

  /** `setup` runs on every re-established connection before it is handed out (not on the first one). */
  constructor(options: ResolvedAmqpOptions, setup: (model: ChannelModel) => Promise<void>) {
    this.#o = options;
    this.#log = options.logger;
    this.#setup = setup;
  }

  /** The broker in use (or tried next), password masked. */
  get where(): string {
    const ep = this.#o.endpoints[this.#next % this.#o.endpoints.length];
    return maskAmqpUrl(ep?.url ?? this.#o.url);
  }

  /** `idle` (never connected), `connecting`, `open`, `recovering` (reconnecting) or `closed`. */
  get state(): State {
    return this.#state;
  }

  /** True while a connection is up and handed out. */
  get isOpen(): boolean {
    return this.#state === 'open' && this.#model !== null;
  }

  /** The signal aborted by `close()` (for sleeps of the transport's recovery loops). */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /**
   * Connects to the first endpoint that answers (each tried once). Idempotent; while reconnecting it waits for
   * the reconnect.
   * @throws ConnectionError `Q_ERR_CONNECTION_FAILED` (retryable unless credentials or vhost were refused).
   */
  async connect(): Promise<void> {
    if (this.#state === 'open') return;
    if (this.#state === 'recovering') {
      await this.ready();
      return;
    }
    this.#connecting ??= this.#firstConnect().finally(() => (this.#connecting = null));
    return this.#connecting;
  }

  async #firstConnect(): Promise<void> {
    amqplib();
    if (this.#state === 'closed' || this.#abort.signal.aborted) this.#abort = new AbortController();
    this.#state = 'connecting';
    const epoch = ++this.#epoch;
    const n = this.#o.endpoints.length;
    let last: Error | null = null;
    for (let i = 0; i < n; i++) {
      const index = (this.#next + i) % n;
      const ep = this.#o.endpoints[index];
      if (!ep) continue;
      try {
        const model = await this.#open(ep);
        if (epoch !== this.#epoch) {
          await model.close().catch(() => undefined);
          break;
        }
        this.#next = index;
        this.#adopt(model);
        this.#state = 'open';
        this.#settleWaiters(model);
        this.#log.debug({ broker: maskAmqpUrl(ep.url) }, 'AMQP connected');
        return;
      } catch (err) {
        last = connectError(err, maskAmqpUrl(ep.url));
        if (n > 1) this.#log.warn({ err: last.message }, `cannot connect to ${maskAmqpUrl(ep.url)}; trying the next broker`);
      }
    }
    if (epoch === this.#epoch) this.#state = 'idle';
    throw last ?? new ConnectionError('Q_ERR_CONNECTION_FAILED', `AMQP connect to ${this.where} was interrupted by close()`, { retryable: false });
  }

  async #open(ep: AmqpEndpoint): Promise<ChannelModel> {
    const api = amqplib();
    const o = this.#o;
    const tls = ep.tls || o.forceTls;
    const credentials =
      o.loginMethod === 'EXTERNAL'
        ? api.credentials.external()
        : o.loginMethod === 'AMQPLAIN'
          ? api.credentials.amqplain(ep.username, ep.password)
          : api.credentials.plain(ep.username, ep.password);
    const target: Options.Connect = {
      protocol: tls ? 'amqps' : 'amqp',
      hostname: ep.hostname,
      port: ep.portGiven ? ep.port : tls ? 5671 : 5672,
      username: ep.username,
      password: ep.password,
      // amqplib unescapes the vhost it is given.
      vhost: encodeURIComponent(ep.vhost),
      heartbeat: o.heartbeatS,
      locale: 'en_US',
    };
    if (o.frameMax !== null) target.frameMax = o.frameMax;
    const socket: SocketOptions = {
      ...(tls ? o.tls : {}),
      timeout: o.connectTimeoutMs,
      noDelay: true,
      clientProperties: { ...o.clientProperties },
      credentials,
    };
    const model = await api.connect(target, socket);
    if (!batchSocketWrites(model)) this.#log.debug('amqplib internals changed: frames are written one socket write each');
    return model;
  }

  #adopt(model: ChannelModel): void {
    this.#model = model;
    model.on('error', (err: Error) => this.#log.warn({ err: err.message }, `AMQP connection error on ${this.where}: ${err.message}`));
    model.on('blocked', (reason: string) => this.#log.warn({ reason }, `the broker blocked the connection (${reason}); publishes wait`));
    model.on('unblocked', () => this.#log.info('the broker unblocked the connection'));
    model.on('close', (err?: Error) => {
      if (this.#model !== model) return;
      this.#model = null;
      if (this.#state === 'open') this.#lost(err);
    });
  }

  #lost(err: Error | undefined): void {
    this.#state = 'recovering';
    const reason = err?.message ?? 'closed';
    this.#log.warn({ err: reason }, `AMQP connection to ${this.where} lost (${reason}); reconnecting`);
    void this.#recover(this.#epoch);
  }

  async #recover(epoch: number): Promise<void> {
    const o = this.#o;
    for (let attempt = 0; epoch === this.#epoch && this.#state === 'recovering'; attempt++) {
      try {
        await delay(backoff(o.reconnectDelayMs, o.maxReconnectDelayMs, attempt), undefined, { signal: this.#abort.signal });
      } catch {
        return;
      }
      if (epoch !== this.#epoch) return;
      const ep = o.endpoints[this.#next % o.endpoints.length];
      if (!ep) return;
      let model: ChannelModel | null = null;
      try {
        model = await this.#open(ep);
        if (epoch !== this.#epoch) {
          await model.close().catch(() => undefined);
          return;
        }
        this.#adopt(model);
        await this.#setup(model);
        if (this.#model !== model) throw new Error('connection lost while restoring declarations');
        this.#state = 'open';
        this.#log.info({ broker: maskAmqpUrl(ep.url), attempts: attempt + 1 }, `AMQP reconnected to ${maskAmqpUrl(ep.url)}`);
        this.#settleWaiters(model);
        return;
      } catch (err) {
        if (model && this.#model === model) {
          this.#model = null;
          await model.close().catch(() => undefined);
        }
        this.#next = (this.#next + 1) % o.endpoints.length;
        const msg = err instanceof Error ? err.message : String(err);
        this.#log.warn({ err: msg, attempt: attempt + 1 }, `AMQP reconnect to ${maskAmqpUrl(ep.url)} failed: ${msg}`);
      }
    }
  }

  /**
   * The open connection; while connecting or reconnecting, waits for it (at most `waitMs`, default forever).
   * @throws ConnectionError `Q_ERR_CONNECTION_LOST` when not connected (retryable) or closed (not retryable).
   */
  ready(waitMs = Infinity): Promise<ChannelModel> {
    if (this.#state === 'open' && this.#model) return Promise.resolve(this.#model);
    if (this.#state === 'idle' || this.#state === 'closed') {
      const closed = this.#state === 'closed';
      return Promise.reject(
        new ConnectionError('Q_ERR_CONNECTION_LOST', `AMQP transport ${closed ? 'is closed' : 'is not connected'} (${this.where})`, { retryable: !closed }),
      );
    }
    return new Promise<ChannelModel>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const waiter: Waiter = {
        resolve: (model) => {
          if (timer) clearTimeout(timer);
          resolve(model);
        },
        reject: (error) => {
          if (timer) clearTimeout(timer);
          reject(error);
        },
      };
      this.#waiters.add(waiter);
      if (Number.isFinite(waitMs)) {
        timer = setTimeout(() => {
          this.#waiters.delete(waiter);
          reject(new ConnectionError('Q_ERR_CONNECTION_LOST', `no AMQP connection to ${this.where} within ${waitMs} ms`, { retryable: true }));
        }, waitMs);
      }
    });
  }

  #settleWaiters(model: ChannelModel | Error): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const w of waiters) {
      if (model instanceof Error) w.reject(model);
      else w.resolve(model);
    }
  }

  /** Closes the connection (waiting at most `timeoutMs` for the broker's close-ok) and stops reconnecting. */
  async close(timeoutMs: number): Promise<void> {
    this.#epoch++;
    this.#state = 'closed';
    this.#abort.abort();
    this.#settleWaiters(new ConnectionError('Q_ERR_CONNECTION_LOST', `AMQP transport closed (${this.where})`, { retryable: false }));
    const model = this.#model;
    this.#model = null;
    if (!model) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const outcome = await Promise.race([model.close().then(() => 'closed' as const, () => 'closed' as const), timeout]);
    if (timer) clearTimeout(timer);
    if (outcome === 'timeout') {
      this.#log.warn(`the broker did not confirm closing the connection within ${timeoutMs} ms; dropping it`);
      (model.connection as unknown as { stream?: { destroy(): void } }).stream?.destroy();
    }
  }
}
