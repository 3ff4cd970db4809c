/** Options of the rpc result backend, and reading them from `result.backendOptions` (the URL path). */
import { ConfigError } from '@q/core';
import type { Logger } from '@q/core';

/** How many task ids keep their latest state by default. */
export const DEFAULT_MAX_BUFFERED = 10_000;

/** Options of `rpcBackend()`. */
export interface RpcBackendOptions {
  /**
   * Send results as persistent messages (delivery mode 2) instead of transient ones (1). Default: the app's
   * `result.persistent` (Celery's `result_persistent`, false).
   */
  persistent?: boolean;
  /**
   * How many task ids keep their latest state on the client (received results, read or not yet). When more
   * arrive, the oldest are dropped first, except those a `get()` is waiting on. Default {@link DEFAULT_MAX_BUFFERED}.
   */
  maxBuffered?: number;
  /** Default: the app's logger. */
  logger?: Logger;
}

/** {@link RpcBackendOptions} after defaults; `persistent: null` means "the app's `result.persistent`". */
export interface ResolvedRpcBackendOptions {
  readonly persistent: boolean | null;
  readonly maxBuffered: number;
  readonly logger: Logger | null;
}

function invalid(path: string, expected: string, value: unknown): never {
  throw new ConfigError('Q_ERR_CONFIG_INVALID', `${path}: expected ${expected}, got ${JSON.stringify(value)}`);
}

/**
 * Validates options (given to `rpcBackend()`, or `result.backendOptions` on the URL path, named by `path`).
 * Keys it does not know are ignored, as the other backends ignore theirs.
 * @throws ConfigError `Q_ERR_CONFIG_INVALID` naming the option.
 */
export function resolveRpcOptions(options: RpcBackendOptions | Record<string, unknown>, path = 'rpcBackend options'): ResolvedRpcBackendOptions {
  const o = options as Record<string, unknown>;
  const persistent = o.persistent;
  if (persistent !== undefined && typeof persistent !== 'boolean') invalid(`${path}.persistent`, 'a boolean', persistent);
  const maxBuffered = o.maxBuffered ?? DEFAULT_MAX_BUFFERED;
  if (typeof maxBuffered !== 'number' || !Number.isInteger(maxBuffered) || maxBuffered < 1) {
    invalid(`${path}.maxBuffered`, 'an integer ≥ 1', maxBuffered);
  }
  const logger = (o.logger as Logger | undefined) ?? null;
  return Object.freeze({ persistent: persistent ?? null, maxBuffered, logger });
}
