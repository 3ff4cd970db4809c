/**
 * The producer: publishes {@link TaskMessage}s. Declares the destination queue, its exchange and binding
 * once per queue per transport (Celery declares before publishing, with identical flags), runs the
 * `beforePublish`/`afterPublish` hooks, encodes with the serializer and codec, and retries retryable
 * publish errors per the retry policy (Celery `task_publish_retry_policy`).
 */
import type { Logger } from '../contracts/logger.js';
import type { PublishTarget, Transport } from '../contracts/transport.js';
import { withPublishRetry } from './publish-retry.js';
import type { PluginHost } from '../plugins/plugin-host.js';
import { encodeTaskMessage } from '../protocol/encode-task.js';
import type { TaskMessage } from '../protocol/task-message.js';
import type { SerializerRegistry } from '../serialization/registry.js';
import type { ResolvedConfig, RetryPolicy } from '../config/options.js';
import { queueTopology, type ResolvedRoute } from '../routing/routing.js';
import { isBroadcastQueue } from '../routing/broadcast-queue.js';
import { WORKER_DIRECT_EXCHANGE, workerDirectTopology } from '../routing/worker-direct.js';

/** Options of one publish. */
export interface PublishOptions {
  /** Serializer name (default `task.serializer`). */
  serializer?: string;
  /** Codec name, or `null` for none (default `task.compression`). */
  compression?: string | null;
  /** Retry on retryable errors (default `task.publishRetry`). */
  retry?: boolean;
  /** Overrides of `task.publishRetryPolicy`. */
  retryPolicy?: RetryPolicy;
}

/** What the producer needs from the app. */
export interface ProducerHost {
  readonly conf: ResolvedConfig;
  readonly plugins: PluginHost;
  readonly serializers: SerializerRegistry;
  readonly log: Logger;
  getTransport(): Promise<Transport>;
  /** Sets plugins up (so their hooks run for the first message too). */
  loadPlugins(): Promise<void>;
}

/**
 * `target` with `delayMs` until `eta` when the transport delays messages itself (capped at its maximum: a later
 * ETA arrives early and the worker holds it for the rest); otherwise `target` as is, and the worker holds ETA tasks.
 */
function withNativeDelay(target: PublishTarget, eta: string | null, transport: Transport): PublishTarget {
  const delay = transport.capabilities.nativeDelay;
  if (delay === false || eta === null) return target;
  const ms = Date.parse(eta) - Date.now();
  return ms > 0 ? { ...target, delayMs: Math.min(ms, delay.maxDelayMs) } : target;
}

/** Publishes task messages for an app. */
export class Producer {
  readonly #host: ProducerHost;
  readonly #declared = new Map<Transport, Set<string>>();

  constructor(host: ProducerHost) {
    this.#host = host;
  }

  /** Forgets which queues were declared (the app calls it when its connection closes). */
  reset(): void {
    this.#declared.clear();
  }

  /** Encodes and publishes `message` to `route`. */
  async publish(message: TaskMessage, route: ResolvedRoute, options: PublishOptions = {}): Promise<void> {
    const { conf, serializers, plugins } = this.#host;
    await this.#host.loadPlugins();
    const serializer = serializers.byName(options.serializer ?? conf.task.serializer);
    const codecName = options.compression === undefined ? conf.task.compression : options.compression;
    const codec = codecName ? serializers.codecByName(codecName) : null;
    const wire = await encodeTaskMessage(message, { serializer, codec });
    const target: PublishTarget = { exchange: route.exchange, routingKey: route.routingKey, exchangeType: route.exchangeType };
    await plugins.runHook('beforePublish', { taskId: message.id, taskName: message.name, message: wire, ...target });

    const retry = options.retry ?? conf.task.publishRetry;
    const policy = { ...conf.task.publishRetryPolicy, ...(options.retryPolicy ?? {}), ...(retry ? {} : { maxRetries: 0 }) };
    await withPublishRetry(
      async () => {
        const transport = await this.#host.getTransport();
        try {
          await this.#declare(transport, route);
          await transport.publish(wire, withNativeDelay(target, message.eta, transport));
        } catch (err) {
          this.#declared.delete(transport);
          throw err;
        }
      },
      policy,
      (err, attempt, delayS) =>
        this.#host.log.warn({ taskId: message.id, attempt, err: err instanceof Error ? err.message : String(err) }, `publish failed, retrying in ${delayS}s`),
    );
    if (plugins.hasHook('afterPublish')) {
      await plugins.runHook('afterPublish', { taskId: message.id, taskName: message.name, exchange: route.exchange, routingKey: route.routingKey, queue: route.queue, headers: wire.headers });
    }
  }

  async #declare(transport: Transport, route: ResolvedRoute): Promise<void> {
    const { queue } = route;
    let done = this.#declared.get(transport);
    if (!done) {
      done = new Set();
      this.#declared.set(transport, done);
    }
    if (done.has(queue)) return;
    // a worker's direct queue is declared as Celery's `worker_direct(nodename)` (on `C.dq2`), any other as the app does
    const direct = route.exchange === WORKER_DIRECT_EXCHANGE && queue === `${route.routingKey}.dq2`;
    const topology = direct ? workerDirectTopology(route.routingKey) : queueTopology(this.#host.conf, queue);
    await transport.declareExchange(topology.exchange);
    // a broadcast queue's name is an alias: its queues are the consuming workers' own (Celery declares none either)
    if (!isBroadcastQueue(this.#host.conf, queue)) {
      await transport.declareQueue(topology.queue);
      await transport.bindQueue(topology.binding);
    }
    done.add(queue);
  }
}
