/**
 * The `gossip` bootstep: a receiver of the other workers' `worker-*` events (queue `celeryev.<uuid>` bound with
 * `worker.#`, its messages living one heartbeat interval, as Celery's) feeding {@link Gossip}, checked for missed
 * heartbeats every interval. It runs with gossip on (`--without-gossip` turns it off) on a transport that can fan
 * events out.
 */
import type { Bootstep } from '@q/core';
import { eventExchangeFor } from '../dispatcher/event-dispatcher.js';
import { EventReceiver } from '../receiver/event-receiver.js';
import type { EventsWorkerHost } from './events-worker-host.js';
import { Gossip } from './gossip.js';

interface Running {
  gossip: Gossip;
  receiver: EventReceiver;
  timer: ReturnType<typeof setInterval>;
}

const running = new WeakMap<EventsWorkerHost, Running>();

/** What a worker that runs the `gossip` step knows of the others (`undefined` when it does not run it). */
export function gossipOf(worker: EventsWorkerHost): Gossip | undefined {
  return running.get(worker)?.gossip;
}

/** The `gossip` bootstep. */
export const gossipStep: Bootstep<EventsWorkerHost> = {
  name: 'gossip',
  requires: ['connection', 'events'],
  before: ['consumer'],
  enabled: (worker) => worker.options.gossip,
  async start(worker) {
    if (eventExchangeFor(worker.transport.capabilities) === null) {
      worker.logger.debug(`gossip off: ${worker.transport.describe()} cannot fan events out`);
      return;
    }
    const { conf } = worker.app;
    const interval = worker.options.heartbeatInterval;
    const logger = worker.logger.child({ step: 'gossip' });
    const gossip = new Gossip({ hostname: worker.hostname, logger });
    const receiver = new EventReceiver({
      transport: worker.transport,
      routingKey: 'worker.#',
      handlers: { '*': (event) => gossip.handle(event) },
      topology: { eventExchange: conf.events.exchange, eventQueuePrefix: conf.events.queuePrefix, eventQueueExpires: conf.events.queueExpires, eventQueueTtl: interval },
      ...(worker.nodeState === undefined ? {} : { clock: worker.nodeState.clock }),
      logger,
    });
    await receiver.start();
    const timer = setInterval(() => gossip.check(), interval * 1000);
    timer.unref();
    running.set(worker, { gossip, receiver, timer });
  },
  async stop(worker) {
    const state = running.get(worker);
    if (state === undefined) return;
    running.delete(worker);
    clearInterval(state.timer);
    await state.receiver.stop();
  },
};
