/**
 * `@q/worker`: the worker that consumes task messages and runs them (Celery's worker).
 */
export { createWorker, Worker } from './worker.js';
export type { WorkerState, WorkerStats } from './worker.js';
export type { WorkerHost, WorkerParts } from './blueprint/worker-host.js';
export type { WorkerCounters, WorkerRuntime } from './worker-runtime.js';
export type { WorkerOptions, ResolvedWorkerOptions } from './worker-options.js';
export { resolveWorkerOptions } from './worker-options.js';
export { expandHostname } from './hostname.js';
export { expandNodeFormat } from './node-format.js';
export type { NodeFormatOptions } from './node-format.js';
export { runningTasks } from './guard/running-tasks.js';
export type { TrackedTask } from './guard/running-tasks.js';
export { consoleLogger } from './console-logger.js';
export type { ConsoleLoggerOptions, ConsoleLogLevel } from './console-logger.js';
export { Blueprint } from './blueprint/blueprint.js';
export type { BlueprintOptions } from './blueprint/blueprint.js';
export { orderBootsteps } from './blueprint/order-bootsteps.js';
export { connectionStep } from './blueprint/connection-step.js';
export { poolStep } from './blueprint/pool-step.js';
export { timerStep } from './blueprint/timer-step.js';
export { consumerStep } from './blueprint/consumer-step.js';
export type { Bootstep } from '@q/core';
export { asyncPool, ASYNC_POOL_DEFAULT_CONCURRENCY } from './pools/async-pool.js';
export type { AsyncPoolOptions } from './pools/async-pool.js';
export { soloPool } from './pools/solo-pool.js';
export { builtinPools } from './pools/builtin-pools.js';
export { createPool } from './pools/create-pool.js';
export type { PluginPools } from './pools/create-pool.js';
export { workerPlugin } from './pools/worker-plugin.js';
export { Timer } from './consumer/timer.js';
export type { TimerEntry } from './consumer/timer.js';
export { backoffCountdown } from './execution/backoff.js';
export type { BackoffOptions } from './execution/backoff.js';
