/**
 * The workers' stats and consumed queues, and the lengths of those queues, asked through remote control every few
 * seconds and kept: API requests read the cache, so a page refreshing often never floods the workers' mailboxes.
 */
import type { Logger, QueueInfo, StatsReply } from '@q/core';
import { silentLogger } from '@q/core';
import type { ClusterControl } from './cluster-control.js';

/** One queue and the messages waiting in it (`null`: the transport cannot tell, or asking failed). */
export interface QueueLength {
  name: string;
  messages: number | null;
  /** Node names of the workers consuming it. */
  consumers: string[];
}

/** Options of {@link WorkerStatsCache}. */
export interface WorkerStatsCacheOptions {
  /** Queues always listed, whoever consumes them (the app's default queue). */
  queues?: readonly string[];
  /** Seconds between refreshes once started (default 5). */
  interval?: number;
  logger?: Logger;
  /** Epoch milliseconds (default `Date.now`). */
  now?: () => number;
}

/** Cached remote-control answers; see the module comment. */
export class WorkerStatsCache {
  readonly #control: ClusterControl;
  readonly #queues: readonly string[];
  readonly #intervalMs: number;
  readonly #log: Logger;
  readonly #now: () => number;
  #stats: Record<string, StatsReply> = {};
  #activeQueues: Record<string, QueueInfo[]> = {};
  #lengths: QueueLength[] = [];
  #updatedAt: number | null = null;
  #refreshing: Promise<void> | null = null;
  /** The refresh that follows the one under way, shared by the callers that asked during it. */
  #following: Promise<void> | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;

  constructor(control: ClusterControl, options: WorkerStatsCacheOptions = {}) {
    this.#control = control;
    this.#queues = options.queues ?? [];
    const interval = options.interval ?? 5;
    if (!Number.isFinite(interval) || interval <= 0) throw new RangeError(`interval: expected a positive number of seconds (got ${interval})`);
    this.#intervalMs = interval * 1000;
    this.#log = options.logger ?? silentLogger;
    this.#now = options.now ?? Date.now;
  }

  /** `stats` replies by node name, as of the last refresh. */
  get stats(): Readonly<Record<string, StatsReply>> {
    return this.#stats;
  }
  /** Consumed queues by node name, as of the last refresh. */
  get activeQueues(): Readonly<Record<string, QueueInfo[]>> {
    return this.#activeQueues;
  }
  /** Queue lengths, by queue name, as of the last refresh. */
  get queueLengths(): readonly QueueLength[] {
    return this.#lengths;
  }
  /** When the last refresh ended (epoch ms), `null` before the first. */
  get updatedAt(): number | null {
    return this.#updatedAt;
  }

  /**
   * Asks the workers and the broker again; resolves once answers asked after this call are in. A call during a
   * refresh waits for it and then one more, shared by every caller meanwhile. Failures are logged and keep the
   * previous answers.
   */
  refresh(): Promise<void> {
    if (this.#refreshing === null) {
      this.#refreshing = this.#refresh().finally(() => {
        this.#refreshing = null;
      });
      return this.#refreshing;
    }
    this.#following ??= this.#refreshing.then(() => {
      this.#following = null;
      return this.refresh();
    });
    return this.#following;
  }

  async #refresh(): Promise<void> {
    const [stats, queues] = await Promise.all([
      this.#control.stats().catch((err: unknown) => this.#failed('stats', err, this.#stats)),
      this.#control.activeQueues().catch((err: unknown) => this.#failed('active_queues', err, this.#activeQueues)),
    ]);
    this.#stats = stats;
    this.#activeQueues = queues;
    const consumers = new Map<string, string[]>(this.#queues.map((name) => [name, []]));
    for (const [node, list] of Object.entries(queues)) {
      for (const queue of Array.isArray(list) ? list : []) {
        if (typeof queue?.name !== 'string') continue;
        let nodes = consumers.get(queue.name);
        if (nodes === undefined) consumers.set(queue.name, (nodes = []));
        nodes.push(node);
      }
    }
    this.#lengths = await Promise.all(
      [...consumers].sort(([a], [b]) => a.localeCompare(b)).map(async ([name, nodes]) => ({
        name,
        messages: await this.#control.queueSize(name).catch((err: unknown) => this.#failed(`queue size of ${name}`, err, null)),
        consumers: nodes,
      })),
    );
    this.#updatedAt = this.#now();
  }

  #failed<T>(what: string, err: unknown, fallback: T): T {
    this.#log.warn({ err }, `dashboard: asking ${what} failed; keeping the previous answer`);
    return fallback;
  }

  /** Refreshes now and then every interval until {@link stop}. */
  start(): void {
    if (this.#timer !== null) return;
    void this.refresh();
    this.#timer = setInterval(() => void this.refresh(), this.#intervalMs);
    this.#timer.unref();
  }

  /** Stops refreshing; waits for a refresh under way. */
  async stop(): Promise<void> {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    await this.#following;
    await this.#refreshing;
  }
}
