/** What the scenarios need from a broker: everything between the harness and Redis, RabbitMQ or SQS. */
import type { BrokerName } from '../config.js';

/** Drain progress, read from the broker by the harness. */
export interface Progress {
  /** Messages no longer waiting in the queue (taken by the worker). */
  taken: number;
  /** Tasks done (results off: acknowledged or removed; results on: result stored or sent). */
  finished: number;
}

/** A broker under test, with the harness's own connection to it. */
export interface Broker {
  readonly name: BrokerName;
  /** Display name (`RabbitMQ`). */
  readonly title: string;
  /** The URL clients and workers connect to. */
  readonly url: string;
  /** How often a drain polls its progress, ms (default `LIMITS.pollMs`). */
  readonly pollMs?: number;
  /**
   * kombu transport options every client and worker of the current scenario gets (SQS: the scenario's queue prefix,
   * region, long polling); absent: none. Celery reads them as `broker_transport_options`, q's SQS bundles as
   * `transportOptions`.
   */
  transportOptions?(): Record<string, unknown>;
  /** The result backend URL a Celery or q worker gets for a scenario (null: none). */
  resultBackend(results: boolean): string | null;
  /** Server version for the report. */
  version(): Promise<string>;
  /** Empties what the previous scenario left (also before the first). */
  reset(): Promise<void>;
  /**
   * Replaces the one message a real client just sent to the Celery queue with `n` copies for a drain (fresh ids,
   * as the client would have made them), so that filling does not take longer than draining.
   */
  fill(n: number, results: boolean): Promise<void>;
  /** Progress of a drain of `n` filled tasks in the Celery queue (kombu's layout: the same for Celery and q). */
  progress(n: number, results: boolean): Promise<Progress>;
  /** After a drain (the worker stopped): throws when what it left is not what `n` tasks leave. */
  checkDrain(n: number, results: boolean): Promise<void>;
  /** Empties and disconnects (RabbitMQ: deletes the vhost). Safe to call more than once. */
  close(): Promise<void>;
}
