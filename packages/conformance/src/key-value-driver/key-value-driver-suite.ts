/**
 * `keyValueDriverSuite`: the behaviour every {@link KeyValueDriver} must have. The factory returns a fresh,
 * unconnected driver per test.
 */
import type { KeyValueDriver } from '@q/core';
import { describe } from 'vitest';
import { keyValueDriverContext, type KeyValueDriverSuiteOptions } from './context.js';
import { getSetTests } from './get-set.js';
import { incrTests } from './incr.js';
import { subscribeTests } from './subscribe.js';
import { ttlTests } from './ttl.js';

export type { KeyValueDriverSuiteOptions } from './context.js';

/** Register the key-value-driver conformance tests under `describe(name)`. */
export function keyValueDriverSuite(name: string, factory: () => Promise<KeyValueDriver>, options: KeyValueDriverSuiteOptions = {}): void {
  describe(`${name}: key-value driver conformance`, async () => {
    const { capabilities } = await factory();
    const ctx = keyValueDriverContext(factory, options);
    getSetTests(ctx);
    ttlTests(ctx);
    incrTests(ctx);
    subscribeTests(ctx, capabilities.subscribe);
  });
}
