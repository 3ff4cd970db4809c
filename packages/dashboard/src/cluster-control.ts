/**
 * What the dashboard asks of the cluster besides its events: the workers' stats and queues (remote control
 * inspect), queue lengths (the transport's optional `queueSize`) and the actions. A narrow interface, so the API
 * can be tested with a fake; {@link appControl} is the real one over an app's `control`.
 */
import type { App, NodeReply, QueueInfo, StatsReply } from '@q/core';

/** Where an action goes: one worker by node name, or every worker when absent. */
export interface ActionTarget {
  destination?: string;
}

/** The remote-control operations and broker questions of the dashboard. */
export interface ClusterControl {
  /** Each worker's `stats` reply by node name; `{}` when none replied. */
  stats(): Promise<Record<string, StatsReply>>;
  /** Each worker's consumed queues by node name; `{}` when none replied. */
  activeQueues(): Promise<Record<string, QueueInfo[]>>;
  /** Messages waiting in `queue`, or `null` when the transport cannot tell. */
  queueSize(queue: string): Promise<number | null>;
  /** Revokes a task, ending it with `signal` when `terminate`. */
  revoke(taskId: string, options: { terminate: boolean; signal: string }): Promise<NodeReply[]>;
  /** Sets a task's rate limit (`"10/m"`, a number per second, `"0"` to remove it). */
  rateLimit(taskName: string, rate: string, target: ActionTarget): Promise<NodeReply[]>;
  /** Adds `n` pool processes. */
  poolGrow(n: number, target: ActionTarget): Promise<NodeReply[]>;
  /** Removes `n` pool processes. */
  poolShrink(n: number, target: ActionTarget): Promise<NodeReply[]>;
  /** Asks workers to shut down warm (no reply is awaited: a stopping worker may not answer). */
  shutdown(target: ActionTarget): Promise<void>;
}

/** Options of {@link appControl}. */
export interface AppControlOptions {
  /** Seconds to wait for workers' replies (default 1). */
  timeout?: number;
}

/** The {@link ClusterControl} of a q app: `app.control` and the app's transport. */
export function appControl(app: App, options: AppControlOptions = {}): ClusterControl {
  const timeout = options.timeout ?? 1;
  const target = (t: ActionTarget) => (t.destination === undefined ? {} : { destination: t.destination });
  return {
    stats: async () => (await app.control.inspect({ timeout }).stats()) ?? {},
    activeQueues: async () => (await app.control.inspect({ timeout }).activeQueues()) ?? {},
    queueSize: async (queue) => {
      const transport = await app.getTransport();
      if (transport.queueSize === undefined) return null;
      return transport.queueSize(queue);
    },
    revoke: (taskId, { terminate, signal }) => app.control.revoke(taskId, { terminate, signal, reply: true, timeout }),
    rateLimit: (taskName, rate, t) => app.control.rateLimit(taskName, rate, { ...target(t), reply: true, timeout }),
    poolGrow: (n, t) => app.control.poolGrow(n, { ...target(t), reply: true, timeout }),
    poolShrink: (n, t) => app.control.poolShrink(n, { ...target(t), reply: true, timeout }),
    shutdown: async (t) => {
      await app.control.shutdown({ ...target(t), reply: false });
    },
  };
}
