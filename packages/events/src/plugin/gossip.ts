/**
 * Celery's worker gossip, without elections: a worker follows the other workers' `worker-*` events and so knows
 * which are online (`peers()`), logs who joins, leaves and misses heartbeats, and warns when another process sends
 * events under its own node name (two workers started with the same `-n`: their remote-control replies and revokes
 * get mixed up).
 */
import type { Logger } from '@q/core';
import { ClusterState } from '../state/cluster-state.js';
import type { WorkerInfo } from '../state/worker-info.js';
import type { QEvent } from '../wire/event.js';

/** Options of {@link Gossip}. */
export interface GossipOptions {
  /** This worker's node name. */
  hostname: string;
  /** This worker's pid (default `process.pid`). */
  pid?: number;
  logger: Logger;
  /** Current time, epoch ms (default `Date.now`). */
  now?: () => number;
}

/** What a worker knows of the others. */
export class Gossip {
  readonly #hostname: string;
  readonly #pid: number;
  readonly #log: Logger;
  readonly #state: ClusterState;
  /** Workers reported lost (so the report is not repeated until they come back). */
  readonly #lost = new Set<string>();
  /** Other pids seen sending under this node name. */
  readonly #namesakes = new Set<number>();

  constructor(options: GossipOptions) {
    this.#hostname = options.hostname;
    this.#pid = options.pid ?? process.pid;
    this.#log = options.logger;
    this.#state = new ClusterState({
      ...(options.now === undefined ? {} : { now: options.now }),
      logger: options.logger,
      onNodeJoin: (worker) => {
        this.#lost.delete(worker.hostname);
        this.#log.debug({ node: worker.hostname }, `${worker.hostname} joined the party`);
      },
      onNodeLeave: (worker) => this.#log.debug({ node: worker.hostname }, `${worker.hostname} left`),
    });
  }

  /** One received event (the gossip receiver binds `worker.#`; anything else is ignored). */
  handle(event: QEvent): void {
    if (!event.type.startsWith('worker-')) return;
    if (event.hostname === this.#hostname) {
      if (event.pid !== this.#pid && typeof event.pid === 'number' && !this.#namesakes.has(event.pid)) {
        this.#namesakes.add(event.pid);
        this.#log.warn(
          { node: this.#hostname, otherPid: event.pid },
          `another worker (pid ${event.pid}) uses this node name ${this.#hostname}: give each worker its own name (-n), or remote-control replies and revokes get mixed up`,
        );
      }
      return;
    }
    if (event.type !== 'worker-offline') this.#lost.delete(event.hostname);
    this.#state.event(event);
  }

  /** Reports the workers whose heartbeats stopped (Celery's periodic check, every heartbeat interval). */
  check(): void {
    for (const worker of this.#state.workers.values()) {
      if (worker.alive || worker.heartbeats.length === 0 || this.#lost.has(worker.hostname)) continue;
      this.#lost.add(worker.hostname);
      this.#log.info({ node: worker.hostname }, `missed heartbeat from ${worker.hostname}`);
    }
  }

  /** The other workers online now (a heartbeat within twice their interval). */
  peers(): Readonly<WorkerInfo>[] {
    return this.#state.aliveWorkers();
  }

  /** Pids of other processes seen sending events under this worker's node name. */
  get namesakes(): readonly number[] {
    return [...this.#namesakes];
  }
}
