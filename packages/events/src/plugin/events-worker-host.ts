/**
 * What the `@q/events` bootsteps need from a worker: a narrow view that `@q/worker`'s `Worker` satisfies (a type of
 * this package's own, so `@q/events` never imports the worker).
 */
import type { App, EventSink, LamportClock, Logger, Transport } from '@q/core';

/** The worker as the event bootsteps see it. */
export interface EventsWorkerHost {
  readonly app: App;
  /** Node name (`celery@host`): every event's `hostname`. */
  readonly hostname: string;
  readonly logger: Logger;
  /** The worker's connected transport (from its `connection` step on). */
  readonly transport: Transport;
  readonly options: {
    /** Send worker-online, heartbeats and worker-offline (`--without-heartbeat` turns it off). */
    readonly heartbeat: boolean;
    /** Seconds between heartbeats. */
    readonly heartbeatInterval: number;
    /** Follow the other workers' events (`--without-gossip` turns it off). */
    readonly gossip: boolean;
  };
  /** The worker's logical clock: stamps its events, moved past the clocks it hears. */
  readonly nodeState?: { readonly clock: LamportClock };
  /** Tasks running now. */
  readonly activeCount: number;
  /** Tasks finished since start. */
  readonly processedCount: number;
  /** Install (or remove) where the worker's events go. */
  useEventSink(sink: EventSink | null): void;
}
