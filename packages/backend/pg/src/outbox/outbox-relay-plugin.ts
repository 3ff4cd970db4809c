/**
 * `outboxRelayPlugin(options)`: a worker runs the outbox relay as its `outbox-relay` bootstep (started after the
 * worker's broker connection, stopped — after its batch in flight — when the worker stops). Add it to the app a
 * worker runs; several workers may run it on one table (rows are claimed with SKIP LOCKED).
 */
import type { App, Bootstep, Plugin } from '@q/core';
import { outboxRelay, type OutboxRelay, type OutboxRelayOptions } from './outbox-relay.js';

/** The bootstep's name. */
export const OUTBOX_RELAY_STEP = 'outbox-relay';

/** What the step needs of a worker (`@q/worker`'s `Worker` has it). */
export interface OutboxRelayWorkerHost {
  readonly app: App;
}

/** The `outbox-relay` bootstep alone (for `createWorker(app, { bootsteps: [...] })`). */
export function outboxRelayStep(options: OutboxRelayOptions): Bootstep<OutboxRelayWorkerHost> {
  const relays = new WeakMap<OutboxRelayWorkerHost, OutboxRelay>();
  return {
    name: OUTBOX_RELAY_STEP,
    requires: ['connection'],
    async start(worker) {
      const relay = outboxRelay(worker.app, options);
      relays.set(worker, relay);
      await relay.start();
    },
    async stop(worker) {
      const relay = relays.get(worker);
      relays.delete(worker);
      await relay?.stop();
    },
  };
}

/**
 * The plugin adding the {@link outboxRelayStep} to every worker of the app.
 * @example
 * const app = createApp({ broker: 'redis://localhost', plugins: [outboxRelayPlugin({ connectionString: PG_URL })] });
 * await createWorker(app).start(); // the worker also relays the outbox
 */
export function outboxRelayPlugin(options: OutboxRelayOptions): Plugin {
  return {
    name: 'q-outbox-relay',
    setup(api) {
      api.bootstep(outboxRelayStep(options) as Bootstep);
    },
  };
}
