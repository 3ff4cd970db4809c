/**
 * `queueDriverSuite`: the behaviour every {@link QueueDriver} must have. The factory returns a fresh, unconnected
 * driver per test (it receives a visibility timeout when the suite tests lease expiry).
 */
import type { QueueDriver } from '@q/core';
import { describe } from 'vitest';
import { bindingTests } from './bindings.js';
import { queueDriverContext, type QueueDriverFactoryOptions, type QueueDriverSuiteOptions } from './context.js';
import { fanoutTests } from './fanout.js';
import { leaseTests } from './leases.js';
import { nativeDelayTests } from './native-delay.js';
import { priorityTests } from './priorities.js';
import { purgeSizeTests } from './purge-size.js';
import { putReserveTests } from './put-reserve.js';
import { visibilityTests } from './visibility.js';

export type { QueueDriverFactoryOptions, QueueDriverSuiteOptions } from './context.js';

/** Register the queue-driver conformance tests under `describe(name)`. */
export function queueDriverSuite(
  name: string,
  factory: (options: QueueDriverFactoryOptions) => Promise<QueueDriver>,
  options: QueueDriverSuiteOptions = {},
): void {
  describe(`${name}: queue driver conformance`, async () => {
    const { capabilities } = await factory({});
    const ctx = queueDriverContext(factory, options);
    const waits = capabilities.blockingReserve || options.waitingReserve === true;
    putReserveTests(ctx, waits);
    leaseTests(ctx);
    visibilityTests(ctx, waits);
    priorityTests(ctx, capabilities.priorities);
    purgeSizeTests(ctx);
    bindingTests(ctx);
    fanoutTests(ctx, capabilities.fanout);
    nativeDelayTests(ctx, capabilities.nativeDelay !== false);
  });
}
