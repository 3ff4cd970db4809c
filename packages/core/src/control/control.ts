/**
 * `app.control` (Celery's `app.control`): remote control of the workers over the pidbox. Each method broadcasts
 * one command with the arguments Python Celery sends (same names, same defaults), so q and Python workers both
 * obey it; `inspect()` asks questions. Without `reply: true` a command is sent and the call resolves `[]`; with it
 * the call resolves with the replies collected within `timeout` seconds, `[{node: reply}, …]`.
 */
import type { Transport } from '../contracts/transport.js';
import type { BroadcastOptions, ControlOptions, InspectOptions, NodeReply } from './control-options.js';
import { Inspect, type InspectHost } from './inspect.js';
import { Mailbox, type MailboxHost } from './mailbox.js';
import type { ControlCommandReply, PingReply } from './replies.js';

/** What `app.control` needs from the app: the mailbox's needs and the task queues (`purge`). */
export interface ControlHost extends MailboxHost {
  /** The control settings, and the task queues `purge()` empties (`task.defaultQueue`, `task.queues`). */
  readonly conf: MailboxHost['conf'] & {
    readonly task: { readonly defaultQueue: string; readonly queues: readonly { readonly name: string }[] };
  };
  /** The app's connected transport. */
  getTransport(): Promise<Transport>;
}

/** Options of {@link Control.revoke}. */
export interface RevokeOptions extends ControlOptions {
  /** Also end the task if a worker is running it (default false). */
  terminate?: boolean;
  /** The signal that ends it, by name (default `SIGTERM`; `SIGKILL`, `SIGUSR1`, …). */
  signal?: string;
}

/** Options of {@link Control.timeLimit}. */
export interface TimeLimitOptions extends ControlOptions {
  /** New soft time limit, seconds (`null`/absent: none). */
  soft?: number | null;
  /** New hard time limit, seconds (`null`/absent: none). */
  hard?: number | null;
}

/** Options of {@link Control.addConsumer}. */
export interface AddConsumerOptions extends ControlOptions {
  /** The exchange to bind the queue to (default: the queue's name, a direct exchange). */
  exchange?: string;
  /** The exchange's type (default `direct`). */
  exchangeType?: string;
  /** The binding's routing key (default: the queue's name). */
  routingKey?: string;
  /** More declaration fields, sent as they are (kombu's `Queue.from_dict` keys: `queue_arguments`, `durable`, …). */
  options?: Record<string, unknown>;
}

/** Options of {@link Control.poolRestart}. */
export interface PoolRestartOptions extends ControlOptions {
  /** Modules to (re)import. */
  modules?: readonly string[];
  /** Reload modules already imported (default false). */
  reload?: boolean;
}

/** A command's replies: `[{node: reply}, …]`, empty without `reply: true`. */
export type ControlReplies<T = ControlCommandReply> = Promise<NodeReply<T>[]>;

/** Remote control of the workers (Celery's `Control`). */
export class Control {
  readonly #host: ControlHost;
  readonly #mailbox: Mailbox;
  readonly #inspectHost: InspectHost;

  constructor(host: ControlHost) {
    this.#host = host;
    this.#mailbox = new Mailbox(host);
    this.#inspectHost = { broadcast: <T>(command: string, options: BroadcastOptions) => this.broadcast<T>(command, options), log: host.log };
  }

  /**
   * Broadcasts `command` with `options.arguments` (Celery's `broadcast`): to every node, to those in `destination`,
   * or to those matching `pattern`. With `reply: true` resolves with the replies received within `timeout` seconds
   * (default 1) or until `limit` came (default: one per destination); `callback` sees each as it arrives. An
   * unknown command is answered `{error: "KeyError('<command>')"}` by each node, returned as received.
   * @throws ConfigError `Q_ERR_CAPABILITY_UNSUPPORTED` when the transport cannot fan out; the transport's errors.
   * @example await app.control.broadcast('flush_cache', { arguments: { region: 'eu' }, reply: true })
   */
  broadcast<T = unknown>(command: string, options: BroadcastOptions = {}): Promise<NodeReply<T>[]> {
    return this.#mailbox.broadcast<T>(command, options);
  }

  /**
   * Asks questions of the workers (Celery's `app.control.inspect()`): each method of the returned {@link Inspect}
   * merges the replies into `{node: value}`, or `null` when no node replied.
   * @example const stats = await app.control.inspect({ timeout: 2 }).stats()
   */
  inspect(options: InspectOptions = {}): Inspect {
    return new Inspect(this.#inspectHost, options);
  }

  /** Pings the workers; replies are wanted unless `reply: false`. @example await app.control.ping({ timeout: 0.5 }) */
  ping(options: ControlOptions = {}): ControlReplies<PingReply> {
    return this.broadcast('ping', { reply: true, ...options, arguments: {} });
  }

  /**
   * Revokes tasks by id: workers drop them when they arrive, and with `terminate` end the ones running with
   * `signal` (default `SIGTERM`). Sends Celery's `{task_id, terminate, signal}` (one id as a string, several as a list).
   * @example await app.control.revoke([id1, id2], { terminate: true, signal: 'SIGKILL' })
   */
  revoke(ids: string | readonly string[], options: RevokeOptions = {}): ControlReplies {
    const { terminate = false, signal = 'SIGTERM', ...rest } = options;
    return this.broadcast('revoke', { ...rest, arguments: { task_id: typeof ids === 'string' ? ids : [...ids], terminate, signal } });
  }

  /** Revokes tasks and ends them if they run (`revoke` with `terminate: true`). @example await app.control.terminate(id, 'SIGKILL') */
  terminate(ids: string | readonly string[], signal = 'SIGTERM', options: ControlOptions = {}): ControlReplies {
    return this.revoke(ids, { ...options, terminate: true, signal });
  }

  /**
   * Sets a task's rate limit on the workers: a number of tasks per second, or `"N/s"`, `"N/m"`, `"N/h"`
   * (`0` or `""` removes it). @example await app.control.rateLimit('tasks.add', '10/m', { reply: true })
   */
  rateLimit(taskName: string, rate: string | number, options: ControlOptions = {}): ControlReplies {
    return this.broadcast('rate_limit', { ...options, arguments: { task_name: taskName, rate_limit: rate } });
  }

  /** Sets a task's time limits, seconds. @example await app.control.timeLimit('tasks.crunch', { soft: 60, hard: 120 }) */
  timeLimit(taskName: string, options: TimeLimitOptions = {}): ControlReplies {
    const { soft = null, hard = null, ...rest } = options;
    return this.broadcast('time_limit', { ...rest, arguments: { task_name: taskName, hard, soft } });
  }

  /**
   * Makes the workers consume from `queue` too (declared with `exchange`, `exchangeType`, `routingKey`, which default to
   * the queue's name and `direct`). @example await app.control.addConsumer('reports', { destination: 'w1@host' })
   */
  addConsumer(queue: string, options: AddConsumerOptions = {}): ControlReplies {
    const { exchange = null, exchangeType = 'direct', routingKey = null, options: extra = {}, ...rest } = options;
    return this.broadcast('add_consumer', {
      ...rest,
      arguments: { queue, exchange, exchange_type: exchangeType, routing_key: routingKey, ...extra },
    });
  }

  /** Makes the workers stop consuming from `queue`. @example await app.control.cancelConsumer('reports') */
  cancelConsumer(queue: string, options: ControlOptions = {}): ControlReplies {
    return this.broadcast('cancel_consumer', { ...options, arguments: { queue } });
  }

  /** Makes the workers send task events. @example await app.control.enableEvents() */
  enableEvents(options: ControlOptions = {}): ControlReplies {
    return this.broadcast('enable_events', { ...options, arguments: {} });
  }

  /** Makes the workers stop sending task events. @example await app.control.disableEvents() */
  disableEvents(options: ControlOptions = {}): ControlReplies {
    return this.broadcast('disable_events', { ...options, arguments: {} });
  }

  /** Adds `n` processes or threads to the workers' pools (default 1). @example await app.control.poolGrow(2) */
  poolGrow(n = 1, options: ControlOptions = {}): ControlReplies {
    return this.broadcast('pool_grow', { ...options, arguments: { n } });
  }

  /** Removes `n` processes or threads from the workers' pools (default 1). @example await app.control.poolShrink() */
  poolShrink(n = 1, options: ControlOptions = {}): ControlReplies {
    return this.broadcast('pool_shrink', { ...options, arguments: { n } });
  }

  /** Changes the autoscaler's bounds of workers started with `--autoscale`. @example await app.control.autoscale(10, 3) */
  autoscale(max: number, min: number, options: ControlOptions = {}): ControlReplies {
    return this.broadcast('autoscale', { ...options, arguments: { max, min } });
  }

  /**
   * Replaces the workers' pool children (or threads), so they load the code anew.
   * @example await app.control.poolRestart({ reply: true })
   */
  poolRestart(options: PoolRestartOptions = {}): ControlReplies {
    const { modules, reload = false, ...rest } = options;
    return this.broadcast('pool_restart', { ...rest, arguments: { modules: modules === undefined ? null : [...modules], reload, reloader: null } });
  }

  /** Shuts the workers down (warm). They send no reply, even with `reply: true`. @example await app.control.shutdown({ destination: ['w1@host'] }) */
  shutdown(options: ControlOptions = {}): ControlReplies<never> {
    return this.broadcast<never>('shutdown', { ...options, arguments: {} });
  }

  /** Makes the workers send a `worker-heartbeat` event now; each replies `null`. @example await app.control.heartbeat() */
  heartbeat(options: ControlOptions = {}): ControlReplies<null> {
    return this.broadcast<null>('heartbeat', { ...options, arguments: {} });
  }

  /**
   * Holds an election among the workers' gossip (`id`: the election's, `topic`: what it is about, `action`: what the
   * elected node does). @example await app.control.election(randomUUID(), 'leader')
   */
  election(id: string, topic: string, action: string | null = null, options: ControlOptions = {}): ControlReplies {
    return this.broadcast('election', { ...options, arguments: { id, topic, action } });
  }

  /**
   * Removes every waiting message from the app's task queues (the default queue and `task.queues`) and resolves
   * with how many were removed (Celery's `app.control.purge`). Nothing is broadcast. Cannot be undone.
   * @example const discarded = await app.control.purge()
   */
  async purge(): Promise<number> {
    const transport = await this.#host.getTransport();
    const { defaultQueue, queues } = this.#host.conf.task;
    let total = 0;
    for (const queue of new Set([defaultQueue, ...queues.map((q) => q.name)])) total += await transport.purge(queue);
    return total;
  }

  /** Stops consuming replies (called by `app.close()`); a call collecting replies resolves with those it has. */
  close(): Promise<void> {
    return this.#mailbox.close();
  }
}
