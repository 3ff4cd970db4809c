/**
 * The worker's event dispatcher as a bootstep (Celery's consumer steps `Events` and `Heart` together): started after
 * the connection and before the consumer, it installs the dispatcher as the worker's event sink (task events with
 * `-E`, batched into `task.multi` messages as Celery's worker does), and with heartbeats on sends `worker-online`, a
 * `worker-heartbeat` every `heartbeatInterval` seconds and `worker-offline` when the worker stops. Stopped after
 * the consumer, so the task events of a warm shutdown still go out before `worker-offline`.
 */
import { LamportClock } from '@q/core';
import type { Bootstep } from '@q/core';
import { EventDispatcher } from '../dispatcher/event-dispatcher.js';
import type { EventsWorkerHost } from './events-worker-host.js';
import { Heart } from './heart.js';

/** A running worker's dispatcher and heart. */
interface Running {
  dispatcher: EventDispatcher;
  heart: Heart | null;
}

const running = new WeakMap<EventsWorkerHost, Running>();

/**
 * Task events per `task.multi` message at most. Celery's worker flushes at 24; receivers (Celery's `EventReceiver`,
 * Flower, q's) take a batch of any length, and fewer, larger messages cost the worker, the broker and every monitor
 * less per event (bench:events).
 */
export const WORKER_EVENT_BATCH = 200;

/** The dispatcher of a worker that runs the `events` step (`undefined` when it does not run). */
export function dispatcherOf(worker: EventsWorkerHost): EventDispatcher | undefined {
  return running.get(worker)?.dispatcher;
}

/** The `events` bootstep. */
export const dispatcherStep: Bootstep<EventsWorkerHost> = {
  name: 'events',
  requires: ['connection'],
  before: ['pidbox', 'mingle', 'consumer'],
  async start(worker) {
    const { conf } = worker.app;
    const dispatcher = new EventDispatcher({
      transport: worker.transport,
      hostname: worker.hostname,
      clock: worker.nodeState?.clock ?? new LamportClock(),
      logger: worker.logger.child({ step: 'events' }),
      exchange: conf.events.exchange,
      serializer: conf.events.serializer,
      bufferGroups: ['task'],
      bufferLimit: WORKER_EVENT_BATCH,
    });
    const heart = worker.options.heartbeat ? new Heart(dispatcher, worker, worker.options.heartbeatInterval) : null;
    running.set(worker, { dispatcher, heart });
    worker.useEventSink({
      send: (type, fields) => dispatcher.send(type, fields),
      ...(heart === null ? {} : { heartbeat: () => heart.beat() }),
    });
    heart?.start();
  },
  async stop(worker) {
    const state = running.get(worker);
    if (state === undefined) return;
    running.delete(worker);
    state.heart?.stop();
    worker.useEventSink(null);
    await state.dispatcher.close();
  },
};
