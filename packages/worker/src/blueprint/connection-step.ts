/**
 * The `connection` bootstep: connects the app and takes its transport and result backend.
 */
import type { Bootstep } from '@q/core';
import type { WorkerHost } from './worker-host.js';

/** Connects the app; on stop closes it (unless the worker was created with `closeApp: false`). */
export const connectionStep: Bootstep<WorkerHost> = {
  name: 'connection',
  async start(worker) {
    await worker.app.connect();
    const transport = await worker.app.getTransport();
    const backend = await worker.app.getBackend();
    worker.parts.transport = transport;
    worker.parts.backend = backend;
    worker.logger.debug({ broker: transport.describe(), backend: backend?.describe() ?? null }, 'connected');
  },
  async stop(worker) {
    if (worker.options.closeApp) await worker.app.close();
    delete worker.parts.transport;
  },
};
