/**
 * `app.control.inspect()` (Celery's `Inspect`): questions to the workers. Each method broadcasts one inspect
 * command with replies wanted and merges them into `{node: value}` (Celery's `flatten_reply`), or `null` when no
 * node replied within the timeout. Values are the wire documents the workers send (see `replies.ts`).
 */
import type { Logger } from '../contracts/logger.js';
import type { InspectOptions, NodeReply } from './control-options.js';
import { flattenReplies } from './flatten-replies.js';
import { isForNode } from './pidbox-message.js';
import type {
  ClockReply,
  ControlCommandReply,
  HelloReply,
  ObjgraphReply,
  PingReply,
  QueryTaskReply,
  QueueInfo,
  RequestInfo,
  ScheduledInfo,
  StatsReply,
} from './replies.js';

/** What {@link Inspect} broadcasts through (`app.control`). */
export interface InspectHost {
  broadcast<T = unknown>(
    command: string,
    options: InspectOptions & { reply: true; arguments: Record<string, unknown> },
  ): Promise<NodeReply<T>[]>;
  /** Where duplicate node names are reported. */
  readonly log: Pick<Logger, 'warn'>;
}

/** The replies of an inspect call, by node name; `null` when none came. */
export type InspectReplies<T> = Promise<Record<string, T> | null>;

/** Questions to the workers named by the options (all by default). */
export class Inspect {
  readonly #host: InspectHost;
  /** Who is asked and how long replies are awaited (`destination`, `pattern`, `matcher`, `timeout`, `limit`, `callback`). */
  readonly options: Readonly<InspectOptions>;

  constructor(host: InspectHost, options: InspectOptions = {}) {
    this.#host = host;
    this.options = Object.freeze({ ...options });
  }

  /**
   * Sends the inspect command `method` with `args` (Celery's names) and merges the replies: for commands that
   * plugins register with `api.inspectCommand`, or any the API has no method for.
   * @example await app.control.inspect().call<number>('cache_size', { region: 'eu' })
   */
  async call<T = unknown>(method: string, args: Record<string, unknown> = {}): InspectReplies<T> {
    const replies = await this.#host.broadcast<T>(method, { ...this.options, reply: true, arguments: args });
    if (replies.length === 0) return null;
    const { byNode, duplicates } = flattenReplies(replies);
    if (duplicates.length > 0) {
      this.#host.log.warn(
        { nodes: duplicates },
        `received more than one reply from ${duplicates.join(', ')}: give each worker its own node name (q worker -n)`,
      );
    }
    const { pattern, matcher } = this.options;
    if (pattern === undefined) return byNode;
    const request = { destination: null, pattern, matcher: matcher ?? 'glob' } as const;
    return Object.fromEntries(Object.entries(byNode).filter(([node]) => isForNode(request, node)));
  }

  /** `{ok: "pong"}` from each live worker. @example await app.control.inspect().ping() */
  ping(): InspectReplies<PingReply> {
    return this.call('ping');
  }

  /** Each worker's statistics: pid, uptime, pool, broker, task totals, rusage. @example await app.control.inspect().stats() */
  stats(): InspectReplies<StatsReply> {
    return this.call('stats');
  }

  /**
   * The tasks each worker is running. `safe` is sent as given (Celery's clients send it; workers ignore it since 4.0).
   * @example await app.control.inspect().active()
   */
  active(options: { safe?: boolean } = {}): InspectReplies<RequestInfo[]> {
    return this.call('active', { safe: options.safe ?? null });
  }

  /** The tasks each worker has received and not started (prefetched), ETA tasks excluded. @example await app.control.inspect().reserved() */
  reserved(): InspectReplies<RequestInfo[]> {
    return this.call('reserved');
  }

  /** The tasks each worker holds until their ETA or countdown. @example await app.control.inspect().scheduled() */
  scheduled(): InspectReplies<ScheduledInfo[]> {
    return this.call('scheduled');
  }

  /** The ids each worker keeps as revoked. @example await app.control.inspect().revoked() */
  revoked(): InspectReplies<string[]> {
    return this.call('revoked');
  }

  /**
   * The tasks each worker has registered, sorted, `celery.*` builtins excluded; each `"name"` or `"name [attr=value …]"`
   * with the attributes asked for (default: `exchange`, `routing_key`, `rate_limit` when set).
   * @example await app.control.inspect().registered('rate_limit', 'time_limit')
   */
  registered(...taskinfoitems: string[]): InspectReplies<string[]> {
    return this.call('registered', { taskinfoitems });
  }

  /** Same as {@link Inspect.registered} (Celery's `registered_tasks`). */
  registeredTasks(...taskinfoitems: string[]): InspectReplies<string[]> {
    return this.registered(...taskinfoitems);
  }

  /** The queues each worker consumes from. @example await app.control.inspect().activeQueues() */
  activeQueues(): InspectReplies<QueueInfo[]> {
    return this.call('active_queues');
  }

  /**
   * Where tasks are in each worker (`active`, `reserved` or `ready`), with their request; unknown ids are left out.
   * Takes ids, or one array of ids. @example await app.control.inspect().queryTask(id1, id2)
   */
  queryTask(...ids: (string | readonly string[])[]): InspectReplies<QueryTaskReply> {
    return this.call('query_task', { ids: ids.flat() });
  }

  /**
   * Each worker's configuration: the settings changed from their defaults (all with `withDefaults`), secrets masked.
   * @example await app.control.inspect().conf()
   */
  conf(options: { withDefaults?: boolean } = {}): InspectReplies<Record<string, unknown>> {
    return this.call('conf', { with_defaults: options.withDefaults ?? false });
  }

  /** Each worker's logical clock. @example await app.control.inspect().clock() */
  clock(): InspectReplies<ClockReply> {
    return this.call('clock');
  }

  /** Each worker's bug-report text (versions, platform, settings) as `{ok: text}`. @example await app.control.inspect().report() */
  report(): InspectReplies<ControlCommandReply> {
    return this.call('report');
  }

  /**
   * Mingle's handshake: sends `revoked` (id → entry) as node `fromNode` and gets each worker's revoked ids and clock
   * (`null` from `fromNode` itself). @example await app.control.inspect().hello('me@host')
   */
  hello(fromNode: string, revoked: Record<string, unknown> | null = null): InspectReplies<HelloReply | null> {
    return this.call('hello', { from_node: fromNode, revoked });
  }

  /** Samples each worker's memory use (debugging; for later `memdump`s). @example await app.control.inspect().memsample() */
  memsample(): InspectReplies<string | null> {
    return this.call('memsample');
  }

  /** Each worker's memory samples, as text (debugging). @example await app.control.inspect().memdump(5) */
  memdump(samples = 10): InspectReplies<string | null> {
    return this.call('memdump', { samples });
  }

  /** A graph of the objects of `type` each worker holds (debugging; Python workers with `objgraph`). */
  objgraph(type = 'Request', n = 200, maxDepth = 10): InspectReplies<ObjgraphReply> {
    return this.call('objgraph', { num: n, max_depth: maxDepth, type });
  }
}
