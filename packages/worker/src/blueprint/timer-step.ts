/**
 * The `timer` bootstep: the one timer that holds ETA tasks.
 */
import type { Bootstep } from '@q/core';
import { Timer } from '../consumer/timer.js';
import type { Worker } from '../worker.js';

/** Creates the ETA timer; on stop cancels whatever is still scheduled. */
export const timerStep: Bootstep<Worker> = {
  name: 'timer',
  async start(worker) {
    worker.parts.timer = new Timer();
  },
  async stop(worker) {
    worker.parts.timer?.clear();
  },
};
