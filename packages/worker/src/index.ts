/**
 * `@q/worker`: the worker that consumes task messages and runs them (Celery's worker).
 */
export { createWorker, Worker } from './worker.js';
export type { WorkerState, WorkerStats } from './worker.js';
export type {
  QueryTaskState,
  RequestDeliveryInfo,
  ScheduledRequestInfo,
  TaskRequestInfo,
  WorkerRequests,
} from './state/request-info.js';
export type { AddConsumerOptions, ConsumedQueue } from './consumer/added-queue.js';
export type { RevokeOptions, RevokeResult } from './state/revoke-tasks.js';
export { NodeState, REVOKES_MAX, REVOKE_EXPIRES } from './state/node-state.js';
export type { NodeStateOptions, RevokeListener } from './state/node-state.js';
export type { RunningTasks } from './state/running-tasks.js';
export type { RevokeHandle } from './state/revoke-handle.js';
export { LimitedSet } from './state/limited-set.js';
export type { LimitedSetOptions } from './state/limited-set.js';
export { LamportClock } from './state/lamport-clock.js';
export { terminateSignal } from './state/terminate-reason.js';
export type { TerminateReason } from './state/terminate-reason.js';
export type { WorkerHost, WorkerParts } from './blueprint/worker-host.js';
export type { WorkerCounters, WorkerRuntime } from './worker-runtime.js';
export type { WorkerOptions, ResolvedWorkerOptions } from './worker-options.js';
export { resolveWorkerOptions } from './worker-options.js';
export { expandHostname } from './hostname.js';
export { expandNodeFormat } from './node-format.js';
export type { NodeFormatOptions } from './node-format.js';
export { runningTasks } from './guard/running-tasks.js';
export type { TrackedTask } from './guard/running-tasks.js';
export { consoleLogger, flushLogger } from './console-logger.js';
export type { ConsoleLogger, ConsoleLoggerOptions, ConsoleLogLevel, LogDestination, TextStream } from './console-logger.js';
export { Blueprint } from './blueprint/blueprint.js';
export type { BlueprintOptions } from './blueprint/blueprint.js';
export { orderBootsteps } from './blueprint/order-bootsteps.js';
export { connectionStep } from './blueprint/connection-step.js';
export { poolStep } from './blueprint/pool-step.js';
export { timerStep } from './blueprint/timer-step.js';
export { consumerStep } from './blueprint/consumer-step.js';
export { customConsumer } from './blueprint/custom-consumer.js';
export type { ConsumedMessage, ConsumerStep, CustomConsumerOptions, CustomMessageHandler } from './blueprint/custom-consumer.js';
export type { Bootstep } from '@q/core';
export { asyncPool, ASYNC_POOL_DEFAULT_CONCURRENCY } from './pools/async-pool.js';
export type { AsyncPoolOptions } from './pools/async-pool.js';
export { soloPool } from './pools/solo-pool.js';
export { preforkPool, PREFORK_CAPABILITIES } from './pools/prefork-pool.js';
export { threadsPool, THREADS_CAPABILITIES } from './pools/threads-pool.js';
export { builtinPools } from './pools/builtin-pools.js';
export { createPool } from './pools/create-pool.js';
export type { PluginPools } from './pools/create-pool.js';
export { workerPlugin } from './pools/worker-plugin.js';
export { Timer } from './consumer/timer.js';
export type { TimerEntry } from './consumer/timer.js';
export { backoffCountdown } from './execution/backoff.js';
export type { BackoffOptions } from './execution/backoff.js';
export { pidboxStep } from './control/pidbox-step.js';
export { mingleStep } from './control/mingle-step.js';
export { mingle, MINGLE_QUIET_MS, MINGLE_TIMEOUT } from './control/mingle.js';
export type { MingleResult } from './control/mingle.js';
export { remoteShutdown } from './control/remote-shutdown.js';
export { builtinCommands } from './control/command-registry.js';
export type { CommandRegistry } from './control/command-registry.js';
export type { ControlledWorker } from './control/controlled-worker.js';
