/** What each key-value-driver behaviour group receives. */
import type { KeyValueDriver } from '@q/core';
import { onTestFinished } from 'vitest';

/** Options of `keyValueDriverSuite`. */
export interface KeyValueDriverSuiteOptions {
  /** How long to wait for published values (default 5000 ms). */
  timeoutMs?: number;
  /** Time to live used by the expiry test (default 150 ms); the test waits a little longer. */
  ttlMs?: number;
  /** Open another driver on the same store (cross-connection tests are skipped without it). */
  peer?: () => Promise<KeyValueDriver>;
}

/** Shared state of one suite run. */
export interface KeyValueDriverContext {
  open(): Promise<KeyValueDriver>;
  openPeer(): Promise<KeyValueDriver | null>;
  readonly hasPeer: boolean;
  readonly timeoutMs: number;
  readonly ttlMs: number;
}

export function keyValueDriverContext(factory: () => Promise<KeyValueDriver>, options: KeyValueDriverSuiteOptions): KeyValueDriverContext {
  const connected = async (make: () => Promise<KeyValueDriver>): Promise<KeyValueDriver> => {
    const driver = await make();
    await driver.connect();
    onTestFinished(() => driver.close());
    return driver;
  };
  return {
    open: () => connected(factory),
    openPeer: async () => (options.peer ? connected(options.peer) : null),
    hasPeer: options.peer !== undefined,
    timeoutMs: options.timeoutMs ?? 5000,
    ttlMs: options.ttlMs ?? 150,
  };
}

/** Store forever, without publishing. */
export const PLAIN = { ttlMs: null, publish: false } as const;
