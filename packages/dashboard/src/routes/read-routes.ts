/**
 * The dashboard's read-only API: summary, workers (events merged with cached remote-control stats), tasks (search,
 * filters, paging), task detail, rates and queue lengths. Everything is answered from memory: no request waits on
 * the broker or the workers.
 */
import type { FastifyInstance } from 'fastify';
import type { QueueInfo, StatsReply } from '@q/core';
import type { WorkerSnapshot } from '@q/events';
import { taskDetail, taskSummary } from '../task-views.js';
import type { RouteContext } from './route-context.js';
import { ratesQuery, taskListQuery, taskParams } from './schemas.js';

/** A worker as the API lists it: its events' view and, when it answered remote control, its pool and queues. */
export interface WorkerView extends WorkerSnapshot {
  /** Pool size and the like from `stats` (`null` when the worker did not answer). */
  pool: { maxConcurrency: number | null; processes: number; autoscaler: Record<string, unknown> | null } | null;
  /** Tasks run since it started, by name (`stats`' `total`). */
  totals: Record<string, number> | null;
  uptime: number | null;
  prefetchCount: number | null;
  /** Names of the queues it consumes (`active_queues`). */
  queues: string[] | null;
}

interface TasksQuerystring {
  state?: string;
  name?: string;
  worker?: string;
  search?: string;
  limit: number;
  offset: number;
}

function workerView(snapshot: WorkerSnapshot, stats: StatsReply | undefined, queues: QueueInfo[] | undefined): WorkerView {
  const pool = stats?.pool;
  return {
    ...snapshot,
    pool:
      pool === undefined
        ? null
        : {
            maxConcurrency: typeof pool['max-concurrency'] === 'number' ? pool['max-concurrency'] : null,
            processes: Array.isArray(pool.processes) ? pool.processes.length : 0,
            autoscaler: stats?.autoscaler ?? null,
          },
    totals: stats?.total ?? null,
    uptime: typeof stats?.uptime === 'number' ? stats.uptime : null,
    prefetchCount: typeof stats?.prefetch_count === 'number' ? stats.prefetch_count : null,
    queues: Array.isArray(queues) ? queues.map((q) => q.name) : null,
  };
}

/** Registers the read-only routes under `/api`. */
export function registerReadRoutes(server: FastifyInstance, ctx: RouteContext): void {
  server.get('/api/summary', async () => {
    const byState: Record<string, number> = {};
    for (const task of ctx.state.tasks.values()) byState[task.state] = (byState[task.state] ?? 0) + 1;
    let online = 0;
    for (const worker of ctx.state.workers.values()) if (worker.alive) online += 1;
    const memory = process.memoryUsage();
    return {
      now: ctx.now(),
      actionsEnabled: ctx.actionsEnabled,
      workers: { online, known: ctx.state.workers.size },
      tasks: { inMemory: ctx.state.tasks.size, byState },
      counters: ctx.state.counters,
      statsUpdatedAt: ctx.cache.updatedAt,
      memory: { rss: memory.rss, heapUsed: memory.heapUsed },
    };
  });

  server.get('/api/workers', async () => {
    const { stats, activeQueues } = ctx.cache;
    const seen = new Set<string>();
    const workers: WorkerView[] = [];
    for (const worker of ctx.state.workers.values()) {
      seen.add(worker.hostname);
      workers.push(workerView(worker.toSnapshot(), stats[worker.hostname], activeQueues[worker.hostname]));
    }
    // Workers that answer remote control but send no events (started without heartbeats) are listed too.
    for (const hostname of Object.keys(stats)) {
      if (seen.has(hostname)) continue;
      const snapshot: WorkerSnapshot = { hostname, freq: 0, heartbeats: [], clock: 0, alive: false, status: 'OFFLINE' };
      workers.push(workerView(snapshot, stats[hostname], activeQueues[hostname]));
    }
    workers.sort((a, b) => a.hostname.localeCompare(b.hostname));
    return { updatedAt: ctx.cache.updatedAt, workers };
  });

  server.get('/api/tasks', { schema: { querystring: taskListQuery } }, async (request) => {
    const query = request.query as TasksQuerystring;
    const page = ctx.state.taskPage({
      ...(query.state === undefined ? {} : { state: query.state.split(',') }),
      ...(query.name === undefined ? {} : { name: query.name }),
      ...(query.worker === undefined ? {} : { worker: query.worker }),
      ...(query.search === undefined || query.search === '' ? {} : { search: query.search }),
      offset: query.offset,
      limit: query.limit,
    });
    return { total: page.total, offset: query.offset, limit: query.limit, tasks: page.tasks.map(taskSummary) };
  });

  server.get('/api/tasks/:id', { schema: { params: taskParams } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const detail = taskDetail(ctx.state, id);
    if (detail === null) return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `task ${id} is not in the dashboard's memory` });
    return detail;
  });

  server.get('/api/task-types', async () => ({ taskTypes: ctx.state.taskTypes() }));

  server.get('/api/rates', { schema: { querystring: ratesQuery } }, async (request) => {
    const { seconds } = request.query as { seconds: number };
    return { seconds, points: ctx.rates.points(seconds) };
  });

  server.get('/api/queues', async () => ({ updatedAt: ctx.cache.updatedAt, queues: ctx.cache.queueLengths }));
}
