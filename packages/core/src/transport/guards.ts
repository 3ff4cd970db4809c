/**
 * Shape checks that tell the two tiers of each seam apart (a config value may be either), without relying on
 * classes: adapters are plain objects and may come from another copy of `@q/core`.
 */
import type { QueueDriver } from '../contracts/queue-driver.js';
import type { KeyValueDriver } from '../contracts/result-backend.js';

function hasMethods(x: unknown, names: readonly string[]): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null) return false;
  const record = x as Record<string, unknown>;
  return typeof record['capabilities'] === 'object' && record['capabilities'] !== null && names.every((n) => typeof record[n] === 'function');
}

/** True when `x` looks like a tier-2 {@link QueueDriver} (has `put`, `reserve`, `ack`, `release`). */
export function isQueueDriver(x: unknown): x is QueueDriver {
  return hasMethods(x, ['connect', 'close', 'put', 'reserve', 'ack', 'release', 'purge', 'describe']);
}

/** True when `x` looks like a tier-2 {@link KeyValueDriver} (has `get`, `mget`, `set`, `delete`, `incr`). */
export function isKeyValueDriver(x: unknown): x is KeyValueDriver {
  return hasMethods(x, ['connect', 'close', 'get', 'mget', 'set', 'delete', 'incr', 'describe']);
}
