/**
 * `GET /metrics`: the cluster as the dashboard sees it, for Prometheus (prom-client), read from the state and the
 * stats cache when scraped (Flower's `/metrics`): workers online and offline, tasks in memory by name and state, each
 * worker's active and processed tasks and load, queue lengths, events received. Read-only, like the rest of the API.
 */
import type { FastifyInstance } from 'fastify';
import { Gauge, Registry } from 'prom-client';
import type { RouteContext } from './route-context.js';

/** The dashboard's metric registry, its gauges read from `ctx` on each scrape. */
export function clusterMetrics(ctx: RouteContext): Registry {
  const registry = new Registry();
  const { state, cache } = ctx;
  new Gauge({
    name: 'q_cluster_workers',
    help: 'Workers known from their events, by status (online: a heartbeat within twice their interval).',
    labelNames: ['status'],
    registers: [registry],
    collect() {
      this.reset();
      let online = 0;
      for (const worker of state.workers.values()) if (worker.alive) online += 1;
      this.set({ status: 'online' }, online);
      this.set({ status: 'offline' }, state.workers.size - online);
    },
  });
  new Gauge({
    name: 'q_cluster_tasks',
    help: 'Tasks in the dashboard memory, by task name and state.',
    labelNames: ['task', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [task, states] of Object.entries(state.taskCounts())) {
        for (const [taskState, count] of Object.entries(states)) this.set({ task, state: taskState }, count);
      }
    },
  });
  const perWorker = (name: string, help: string, read: (w: { active: number | undefined; processed: number | undefined; loadavg: readonly number[] | undefined }) => number | undefined): void => {
    new Gauge({
      name,
      help,
      labelNames: ['worker'],
      registers: [registry],
      collect() {
        this.reset();
        for (const worker of state.workers.values()) {
          const value = worker.alive ? read(worker) : undefined;
          if (value !== undefined && Number.isFinite(value)) this.set({ worker: worker.hostname }, value);
        }
      },
    });
  };
  perWorker('q_cluster_worker_active_tasks', 'Tasks a worker online is running, as of its last heartbeat.', (w) => w.active);
  perWorker('q_cluster_worker_processed_tasks', 'Tasks a worker online has finished since it started, as of its last heartbeat.', (w) => w.processed);
  perWorker('q_cluster_worker_load1', "A worker online's 1-minute load average, as of its last heartbeat.", (w) => w.loadavg?.[0]);
  new Gauge({
    name: 'q_cluster_queue_length',
    help: 'Messages waiting in the queues the workers consume (as of the last refresh).',
    labelNames: ['queue'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { name, messages } of cache.queueLengths) if (messages !== null) this.set({ queue: name }, messages);
    },
  });
  new Gauge({
    name: 'q_cluster_events_received',
    help: 'Events the dashboard has received since it started.',
    registers: [registry],
    collect() {
      this.set(state.eventCount);
    },
  });
  return registry;
}

/** Registers `GET /metrics` on `server`. */
export function registerMetricsRoute(server: FastifyInstance, ctx: RouteContext): void {
  const registry = clusterMetrics(ctx);
  server.get('/metrics', async (_request, reply) => {
    const body = await registry.metrics();
    return reply.type(registry.contentType).send(body);
  });
}
