/**
 * Extra `createApp` options of the q side of an interop test, from `INTEROP_Q_CONFIG` (JSON; unset = none): the
 * `result`, `task`, `worker`, `brokerOptions` and `security` sections (e.g. `result.backendOptions.tableSchemas`, `task.trackStarted`,
 * `worker.direct`, `brokerOptions.transportOptions`)
 * and `resolveFrom` (where a backend plugin loaded by scheme is looked up, e.g. the e2e folder for `@q/backend-pg`).
 */
import type { AppOptions } from '@q/core';

/** The options `INTEROP_Q_CONFIG` holds. */
export type InteropConfig = Pick<AppOptions, 'result' | 'task' | 'worker' | 'brokerOptions' | 'resolveFrom' | 'security'>;

/** Parses `INTEROP_Q_CONFIG`, with `task.queueMaxPriority` from `INTEROP_QUEUE_MAX_PRIORITY` when set. */
export function interopConfig(env: NodeJS.ProcessEnv = process.env): InteropConfig {
  const config = JSON.parse(env['INTEROP_Q_CONFIG'] ?? '{}') as InteropConfig;
  const maxPriority = env['INTEROP_QUEUE_MAX_PRIORITY'];
  return maxPriority ? { ...config, task: { ...config.task, queueMaxPriority: Number(maxPriority) } } : config;
}
