/**
 * The `stats` reply, with Celery's field names (`WorkController.stats()` + `Consumer` info): `total`, `pid`,
 * `clock` (a string, as Celery's), `uptime`, `pool`, `broker`, `prefetch_count`, `rusage`
 * (`vectors/control-stats-reply.json`).
 */
import type { PoolStats, StatsReply } from '@q/core';
import type { Pool } from '@q/core/adapter';
import { brokerInfo } from './broker-info.js';
import type { ControlledWorker } from './controlled-worker.js';

/**
 * The pids of the pool's processes: its children's when the pool lists them (`pids`), else the worker's own
 * (the pool runs in this process, as Celery's solo and threads pools report).
 */
export function poolProcesses(pool: Pool | undefined): number[] {
  const pids = pool?.pids;
  return pids !== undefined && pids.length > 0 ? [...pids] : [process.pid];
}

/** `getrusage(RUSAGE_SELF)` as Python's `resource` module names it (times in seconds, `maxrss` in KiB). */
export function rusage(): Record<string, number> {
  const u = process.resourceUsage();
  return {
    utime: u.userCPUTime / 1e6,
    stime: u.systemCPUTime / 1e6,
    maxrss: u.maxRSS,
    ixrss: u.sharedMemorySize,
    idrss: u.unsharedDataSize,
    isrss: u.unsharedStackSize,
    minflt: u.minorPageFault,
    majflt: u.majorPageFault,
    nswap: u.swappedOut,
    inblock: u.fsRead,
    oublock: u.fsWrite,
    msgsnd: u.ipcSent,
    msgrcv: u.ipcReceived,
    nsignals: u.signalsCount,
    nvcsw: u.voluntaryContextSwitches,
    nivcsw: u.involuntaryContextSwitches,
  };
}

/** The `pool` part: Celery's prefork fields (`writes` is left out: q's pools keep no per-child write counts). */
function poolStats(worker: ControlledWorker): PoolStats {
  const { options, parts } = worker;
  const [hard, soft] = options.timeLimits;
  return {
    'max-concurrency': parts.pool?.concurrency ?? options.concurrency,
    processes: poolProcesses(parts.pool),
    'max-tasks-per-child': options.poolOptions.maxTasksPerChild ?? 'N/A',
    'put-guarded-by-semaphore': false,
    timeouts: [soft ?? 0, hard ?? 0],
  };
}

/**
 * The `stats` reply of `worker`, running since `startedAt` (epoch ms). Tasks run are counted by name (`total`);
 * with `--autoscale` an `autoscaler` part gives its bounds.
 */
export function statsReply(worker: ControlledWorker, startedAt: number): StatsReply {
  const total = Object.fromEntries(worker.counters.processed);
  const reply: StatsReply = {
    total,
    pid: process.pid,
    clock: String(worker.clock.value),
    uptime: Math.round((Date.now() - startedAt) / 1000),
    pool: poolStats(worker),
    broker: brokerInfo(worker.parts.transport?.describe() ?? '', worker.app.conf),
    prefetch_count: worker.parts.consumer?.prefetch ?? worker.options.prefetch,
    rusage: rusage(),
  };
  const autoscale = worker.autoscale;
  if (autoscale !== null) {
    const pool = worker.parts.pool;
    reply.autoscaler = { max: autoscale[0], min: autoscale[1], current: poolProcesses(pool).length, qty: worker.counters.reserved, processes: poolProcesses(pool).length };
  }
  return reply;
}
