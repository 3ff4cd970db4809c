/**
 * Where a worker's events go (Celery's `consumer.event_dispatcher`, as the worker sees it). The `@q/events` plugin
 * installs its dispatcher on each worker; with none installed a worker sends no events. Task events pass through it
 * only while the worker's task events are on (`-E`, `enable_events`): the worker checks that before building them.
 */
export interface EventSink {
  /**
   * Send event `type` (`task-received`, `task-succeeded`, …) with the fields of its type, named as on the wire
   * (`uuid`, `root_id`, `runtime`); the sink adds `hostname`, `timestamp`, `utcoffset`, `pid` and `clock`.
   * Synchronous and cheap (it runs several times per task); never throws.
   */
  send(type: string, fields: Record<string, unknown>): void;
  /** Send a `worker-heartbeat` now (the `heartbeat` remote-control command); absent when heartbeats are off. */
  heartbeat?(): void;
}
