/**
 * Pushing stored states to `watch`ers. A dedicated connection LISTENs on the channel of each watched task
 * (`q_<md5(task id)>`, see `taskChannel`); a notification carries the state stored (Celery's JSON result
 * document), handed to the task's watchers in the order stored; one without (a state too large for a
 * notification) makes it read the row — one read for all such tasks of a turn. When the connection drops it reconnects,
 * LISTENs again and reads every watched task once, so a state stored meanwhile is not missed. When the server
 * refuses LISTEN (a pooler in transaction mode, a role without it) — or with `notify: 'poll'` — it polls the
 * watched tasks instead and hands over each state that changed. While listening it also re-reads the watched tasks
 * now and then (`recheckIntervalMs`), for rows written without a notification (Python Celery writing into a table
 * Celery created, which has no notify trigger).
 */
import pg from 'pg';
import { ConnectionError, type Logger, type TaskMeta } from '@q/core';
import { LiveSubscriptions, decodeResultDocument } from '@q/core/adapter';
import { taskChannel } from '../schema/table-refs.js';
import { isConnectionError } from '../store/pg-retry.js';

/** What the listener needs from its backend. */
export interface ListenerHost {
  /** Connection options of the dedicated LISTEN connection. */
  readonly clientConfig: pg.ClientConfig;
  /** Read stored states. */
  read(ids: readonly string[]): Promise<(TaskMeta | null)[]>;
  readonly logger: Logger;
  readonly mode: 'listen' | 'poll';
  readonly pollIntervalMs: number;
  /** While listening, re-read the watched tasks this often (rows written without a notification); 0: never. */
  readonly recheckIntervalMs: number;
  /** Give up reconnecting after this long, ms (then every watch ends). */
  readonly retryForMs: number;
  /** Make the LISTEN connection (default `new pg.Client(clientConfig)`; tests pass a fake). */
  readonly createClient?: (config: pg.ClientConfig) => ListenClient;
}

/** What the listener uses of a `pg.Client`. */
export type ListenClient = Pick<pg.Client, 'connect' | 'query' | 'end' | 'on'>;

interface Watch {
  readonly onMeta: (meta: TaskMeta) => void;
}

interface Watched {
  readonly taskId: string;
  readonly watches: Set<Watch>;
  /** Status and date of the last state handed over while polling. */
  last: string | null;
}

interface QueuedStatement {
  readonly client: ListenClient;
  readonly text: string;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** See the module comment. */
export class ResultListener {
  readonly #host: ListenerHost;
  readonly #byChannel = new Map<string, Watched>();
  readonly #live = new LiveSubscriptions();
  #client: ListenClient | null = null;
  #connecting: Promise<ListenClient | null> | null = null;
  #polling: boolean;
  #pollTimer: NodeJS.Timeout | null = null;
  #notified = new Set<string>();
  /** LISTEN/UNLISTEN statements waiting to go out, and whether a batch of them is under way. */
  #queued: QueuedStatement[] = [];
  #flushing = false;
  #readScheduled = false;
  #closed = false;
  #reconnecting = false;

  constructor(host: ListenerHost) {
    this.#host = host;
    this.#polling = host.mode === 'poll';
  }

  /** Whether states reach watchers by polling (LISTEN refused or not wanted). */
  get polling(): boolean {
    return this.#polling;
  }

  /** Watch `taskId`; resolves once listening, to the function that stops it. */
  async watch(taskId: string, onMeta: (meta: TaskMeta) => void, onEnd?: (error: Error) => void): Promise<() => Promise<void>> {
    if (this.#closed) throw new ConnectionError('Q_ERR_CONNECTION_LOST', 'PostgreSQL result backend is closed');
    const channel = taskChannel(taskId);
    let watched = this.#byChannel.get(channel);
    const first = watched === undefined;
    if (watched === undefined) {
      watched = { taskId, watches: new Set(), last: null };
      this.#byChannel.set(channel, watched);
    }
    const watch: Watch = { onMeta };
    watched.watches.add(watch);
    let ended = false;
    const forget = this.#live.add((error) => {
      ended = true;
      onEnd?.(error);
    });
    const stop = async (): Promise<void> => {
      if (ended) return;
      ended = true;
      forget();
      const current = this.#byChannel.get(channel);
      if (current === undefined || !current.watches.delete(watch) || current.watches.size > 0) return;
      this.#byChannel.delete(channel);
      if (!this.#polling && this.#client !== null) await this.#exec(this.#client, `UNLISTEN "${channel}"`).catch(() => undefined);
    };
    try {
      if (first) await this.#listen(channel);
      else if (!this.#polling) await this.#connected();
    } catch (err) {
      if (this.#closed || !isConnectionError(err)) {
        await stop();
        throw err;
      }
      // The server is out of reach (a restart, a failover): the watch stays. The reconnect LISTENs on every watched
      // channel and reads each watched task once it is back, or ends the watch (onEnd) when it gives up.
      this.#startReconnect();
    }
    this.#schedulePoll();
    return stop;
  }

  /** Stop listening; every live watch ends with `Q_ERR_CONNECTION_LOST`. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#pollTimer !== null) clearTimeout(this.#pollTimer);
    this.#live.endAll(new ConnectionError('Q_ERR_CONNECTION_LOST', 'PostgreSQL result backend closed'));
    this.#byChannel.clear();
    const client = this.#client ?? (this.#connecting ? await this.#connecting.catch(() => null) : null);
    this.#client = null;
    await client?.end().catch(() => undefined);
  }

  async #listen(channel: string): Promise<void> {
    if (this.#polling) return;
    const client = await this.#connected();
    if (client === null) return;
    try {
      await this.#exec(client, `LISTEN "${channel}"`);
    } catch (err) {
      if (this.#switchToPolling(err)) return;
      throw err;
    }
  }

  /**
   * Run a LISTEN/UNLISTEN on `client`: the statements of a turn go out as one query, one query at a time (a
   * thousand `get()`s at once are one round trip, and `pg` never has two queries of this client under way).
   */
  #exec(client: ListenClient, text: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#queued.push({ client, text, resolve, reject });
      if (!this.#flushing) void this.#flushStatements();
    });
  }

  async #flushStatements(): Promise<void> {
    this.#flushing = true;
    await new Promise((resolve) => setImmediate(resolve));
    while (this.#queued.length > 0) {
      const first = this.#queued[0] as QueuedStatement;
      const end = this.#queued.findIndex((q) => q.client !== first.client);
      const batch = this.#queued.splice(0, end === -1 ? this.#queued.length : end);
      try {
        await first.client.query(batch.map((q) => q.text).join('; '));
        for (const q of batch) q.resolve();
      } catch (err) {
        for (const q of batch) q.reject(err);
      }
    }
    this.#flushing = false;
  }

  /** LISTEN refused for good (not a lost connection): poll instead. */
  #switchToPolling(err: unknown): boolean {
    const code = (err as { code?: unknown }).code;
    // 0A000 feature_not_supported (poolers, read replicas), 42501 insufficient_privilege, 25006 read-only transaction.
    if (code !== '0A000' && code !== '42501' && code !== '25006') return false;
    this.#host.logger.warn({ err }, 'PostgreSQL result backend: LISTEN refused, polling watched results instead');
    this.#polling = true;
    const client = this.#client;
    this.#client = null;
    void client?.end().catch(() => undefined);
    return true;
  }

  /** The LISTEN connection, connecting (once for concurrent callers) when needed; `null` once polling. */
  #connected(): Promise<ListenClient | null> {
    if (this.#client !== null) return Promise.resolve(this.#client);
    this.#connecting ??= this.#connect().finally(() => {
      this.#connecting = null;
    });
    return this.#connecting;
  }

  async #connect(): Promise<ListenClient | null> {
    const client = this.#host.createClient ? this.#host.createClient(this.#host.clientConfig) : new pg.Client(this.#host.clientConfig);
    client.on('notification', (msg: pg.Notification) => this.#onNotification(msg.channel, msg.payload ?? ''));
    client.on('error', (err: Error) => this.#onLost(client, err));
    client.on('end', () => this.#onLost(client, null));
    await client.connect();
    if (this.#closed) {
      await client.end().catch(() => undefined);
      throw new ConnectionError('Q_ERR_CONNECTION_LOST', 'PostgreSQL result backend closed');
    }
    this.#client = client;
    return client;
  }

  #onNotification(channel: string, payload: string): void {
    const watched = this.#byChannel.get(channel);
    if (watched === undefined) return;
    if (payload !== '') {
      let meta: TaskMeta;
      try {
        meta = decodeResultDocument(payload);
      } catch (err) {
        this.#host.logger.error({ err, taskId: watched.taskId }, 'PostgreSQL result backend: unreadable notification; reading the row');
        this.#notified.add(channel);
        this.#scheduleRead();
        return;
      }
      this.#handOver(watched, meta);
      return;
    }
    this.#notified.add(channel);
    this.#scheduleRead();
  }

  #scheduleRead(): void {
    if (this.#readScheduled) return;
    this.#readScheduled = true;
    setImmediate(() => {
      this.#readScheduled = false;
      const channels = [...this.#notified];
      this.#notified.clear();
      void this.#deliver(channels);
    });
  }

  /** Read the tasks of `channels` and hand their states to their watchers. */
  async #deliver(channels: readonly string[], onlyChanged = false): Promise<void> {
    const targets = channels.map((c) => this.#byChannel.get(c)).filter((w): w is Watched => w !== undefined);
    if (targets.length === 0) return;
    let metas: (TaskMeta | null)[];
    try {
      metas = await this.#host.read(targets.map((w) => w.taskId));
    } catch (err) {
      this.#host.logger.error({ err }, 'PostgreSQL result backend: could not read notified results');
      return;
    }
    targets.forEach((watched, i) => {
      const meta = metas[i];
      if (meta == null) return;
      if (onlyChanged && `${meta.status}|${meta.dateDone ?? ''}` === watched.last) return;
      this.#handOver(watched, meta);
    });
  }

  #handOver(watched: Watched, meta: TaskMeta): void {
    watched.last = `${meta.status}|${meta.dateDone ?? ''}`;
    for (const watch of [...watched.watches]) {
      try {
        watch.onMeta(meta);
      } catch (err) {
        this.#host.logger.error({ err, taskId: watched.taskId }, 'result watcher threw');
      }
    }
  }

  #onLost(client: ListenClient, err: Error | null): void {
    if (this.#client !== client) return;
    this.#client = null;
    if (this.#closed) return;
    this.#host.logger.warn({ err }, 'PostgreSQL result backend: LISTEN connection lost, reconnecting');
    this.#startReconnect();
  }

  /** Reconnect, one loop at a time. */
  #startReconnect(): void {
    if (this.#reconnecting) return;
    this.#reconnecting = true;
    void this.#reconnect().finally(() => {
      this.#reconnecting = false;
    });
  }

  async #reconnect(): Promise<void> {
    const deadline = Date.now() + this.#host.retryForMs;
    let pause = 25;
    while (!this.#closed && !this.#polling) {
      try {
        const client = await this.#connected();
        if (client === null) return;
        const channels = [...this.#byChannel.keys()];
        if (channels.length > 0) await this.#exec(client, channels.map((c) => `LISTEN "${c}"`).join('; '));
        // States stored while the connection was down were notified to no one: read them now.
        await this.#deliver(channels);
        return;
      } catch (err) {
        if (Date.now() + pause > deadline) {
          this.#host.logger.error({ err }, 'PostgreSQL result backend: could not reconnect the LISTEN connection');
          this.#live.endAll(new ConnectionError('Q_ERR_CONNECTION_LOST', `PostgreSQL result backend: lost its LISTEN connection: ${(err as Error).message}`, { cause: err }));
          this.#byChannel.clear();
          return;
        }
        await sleep(pause);
        pause = Math.min(pause * 2, 1000);
      }
    }
  }

  /** Poll the watched tasks (every `pollIntervalMs` when polling, every `recheckIntervalMs` when listening). */
  #schedulePoll(): void {
    const interval = this.#polling ? this.#host.pollIntervalMs : this.#host.recheckIntervalMs;
    if (this.#pollTimer !== null || this.#closed || interval <= 0) return;
    this.#pollTimer = setTimeout(() => {
      this.#pollTimer = null;
      if (this.#byChannel.size === 0) return;
      void this.#deliver([...this.#byChannel.keys()], true).finally(() => this.#schedulePoll());
    }, interval);
  }
}
