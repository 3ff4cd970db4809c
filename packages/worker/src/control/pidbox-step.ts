/**
 * The `pidbox` bootstep (Celery's `Control` consumer step with its `Pidbox`): after the connection, declares the
 * control exchange `celery.pidbox` (fanout), the worker's queue `<nodename>.celery.pidbox` with Celery's arguments
 * and its binding, and consumes it without acks, as Celery's pidbox consumer does. Disabled by
 * `enableRemoteControl: false` (Celery's `worker_enable_remote_control`) and on a transport without fanout.
 */
import type { Bootstep, Consumer } from '@q/core';
import { controlQueueTopology } from '@q/core/adapter';
import { commandRegistry } from './command-registry.js';
import type { ControlledWorker } from './controlled-worker.js';
import { nodeRecords } from './node-records.js';
import { PidboxNode } from './pidbox-node.js';

const consumers = new WeakMap<object, Consumer>();

/** Whether `worker`'s pidbox consumes now (mingle counts on its own reply then). */
export function pidboxRunning(worker: object): boolean {
  return consumers.has(worker);
}

/** Consumes `<nodename>.celery.pidbox`; see the module comment. */
export const pidboxStep: Bootstep<ControlledWorker> = {
  name: 'pidbox',
  requires: ['connection'],
  enabled(worker) {
    if (!worker.options.enableRemoteControl) return false;
    const transport = worker.parts.transport;
    if (transport !== undefined && !transport.capabilities.fanout) {
      worker.logger.warn(`${transport.describe()} cannot fan out: remote control is off on this worker`);
      return false;
    }
    return true;
  },
  async start(worker) {
    const transport = worker.transport;
    const { exchange, queueExpires, queueTtl } = worker.app.conf.control;
    const topology = controlQueueTopology(worker.hostname, { controlExchange: exchange, controlQueueExpires: queueExpires, controlQueueTtl: queueTtl });
    await transport.declareExchange(topology.exchange);
    await transport.declareQueue(topology.queue);
    await transport.bindQueue(topology.binding);
    const logger = worker.logger.child({ component: 'pidbox' });
    const node = new PidboxNode({ worker, commands: commandRegistry(worker.app.plugins.controlCommands(), logger), transport, logger });
    nodeRecords(worker).startedAt = Date.now();
    const consumer = await transport.consume(
      topology.queue.name,
      (delivery) => {
        void node.handle(delivery.message);
      },
      { prefetch: 0, noAck: true, tag: `pidbox-${worker.hostname}` },
    );
    consumers.set(worker, consumer);
    logger.debug({ queue: topology.queue.name }, 'remote control ready');
  },
  async stop(worker) {
    const consumer = consumers.get(worker);
    consumers.delete(worker);
    await consumer?.cancel();
  },
};
