/**
 * The `timer` bootstep: the one timer that holds ETA tasks.
 */
import type { Bootstep } from '@q/core';
import { Timer } from '../consumer/timer.js';
import type { WorkerHost } from './worker-host.js';

/** Creates the ETA timer; on stop cancels whatever is still scheduled. */
export const timerStep: Bootstep<WorkerHost> = {
  name: 'timer',
  async start(worker) {
    worker.parts.timer = new Timer();
  },
  async stop(worker) {
    worker.parts.timer?.clear();
  },
};
