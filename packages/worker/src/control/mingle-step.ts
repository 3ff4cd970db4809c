/**
 * The `mingle` bootstep (Celery's `Mingle`): after the pidbox and before the task consumer, the worker asks the
 * others for their revoked ids and clock (`mingle.ts`). Off with `mingle: false` (`q worker --without-mingle`) and
 * on a transport without fanout (Celery mingles on Redis and RabbitMQ only).
 */
import type { Bootstep } from '@q/core';
import type { ControlledWorker } from './controlled-worker.js';
import { mingle } from './mingle.js';
import { pidboxRunning } from './pidbox-step.js';

/** Syncs revoked ids and the clock with the other workers at start. */
export const mingleStep: Bootstep<ControlledWorker> = {
  name: 'mingle',
  requires: ['connection'],
  enabled(worker) {
    return worker.options.mingle && worker.parts.transport?.capabilities.fanout === true;
  },
  async start(worker) {
    await mingle(worker, pidboxRunning(worker));
  },
  async stop() {},
};
