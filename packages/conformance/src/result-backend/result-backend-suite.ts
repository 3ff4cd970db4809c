/**
 * `resultBackendSuite`: the behaviour every {@link ResultBackend} must have. The factory returns a fresh, unconnected
 * backend per test; groups that depend on a capability run only when the backend declares it. Backends whose results
 * only the caller reads (`readers: 'caller'`, rpc) store with the reply address `options.replyTo` gives, and reads
 * wait until what was stored has arrived.
 */
import type { ResultBackend } from '@q/core';
import { describe } from 'vitest';
import { chordTests } from './chords.js';
import { resultBackendContext, type ResultBackendSuiteOptions } from './context.js';
import { forgetExpiryTests } from './forget-expiry.js';
import { groupTests } from './groups.js';
import { storeGetTests } from './store-get.js';
import { successFinalTests } from './success-final.js';
import { watchTests } from './watch.js';

export type { ResultBackendSuiteOptions } from './context.js';

/** Register the result-backend conformance tests under `describe(name)`. */
export function resultBackendSuite(name: string, factory: () => Promise<ResultBackend>, options: ResultBackendSuiteOptions = {}): void {
  describe(`${name}: result backend conformance`, async () => {
    const { capabilities } = await factory();
    const ctx = resultBackendContext(factory, options, capabilities.readers ?? 'any');
    storeGetTests(ctx);
    successFinalTests(ctx);
    forgetExpiryTests(ctx, capabilities.autoExpire);
    groupTests(ctx, capabilities.groups);
    watchTests(ctx, capabilities.push);
    chordTests(ctx);
  });
}
