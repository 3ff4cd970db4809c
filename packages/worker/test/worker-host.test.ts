/**
 * Bootsteps see the worker through `WorkerHost`: a plugin's step typed against the host reads the options and
 * the parts the built-in steps created; one typed against `Worker` gets the worker itself.
 */
import { describe, expect, it } from 'vitest';
import type { Bootstep } from '@q/core';
import type { Worker, WorkerHost } from '../src/index.js';
import { makeApp, namespace, startWorker } from './helpers.js';

describe('worker: bootstep host', () => {
  it('hands a host-typed step the options and the parts of the steps it requires', async () => {
    const seen: Record<string, unknown>[] = [];
    const step: Bootstep<WorkerHost> = {
      name: 'inspect',
      requires: ['consumer'],
      async start(host) {
        seen.push({
          concurrency: host.options.concurrency,
          pool: host.parts.pool?.name,
          transport: host.parts.transport === host.transport,
          consumer: host.parts.consumer !== undefined,
          timer: host.parts.timer !== undefined,
          hostname: host.hostname,
        });
      },
      async stop(host, { graceful }) {
        seen.push({ stopping: graceful, consumer: host.parts.consumer !== undefined });
      },
    };
    const app = makeApp(namespace(), { plugins: [{ name: 'inspect', setup: (api) => api.bootstep(step) }] });
    const worker = await startWorker(app, { concurrency: 4, hostname: 'host@test' });
    await worker.stop();
    expect(seen).toEqual([
      { concurrency: 4, pool: 'async', transport: true, consumer: true, timer: true, hostname: 'host@test' },
      { stopping: true, consumer: true },
    ]);
  });

  it('hands a Worker-typed step the worker itself', async () => {
    let handed: Worker | undefined;
    const step: Bootstep<Worker> = {
      name: 'stats',
      requires: ['pool'],
      async start(worker) {
        handed = worker;
      },
      async stop() {},
    };
    const app = makeApp(namespace());
    const worker = await startWorker(app, { bootsteps: [step] });
    expect(handed).toBe(worker);
    expect(worker.bootsteps).toContain('stats');
  });
});
