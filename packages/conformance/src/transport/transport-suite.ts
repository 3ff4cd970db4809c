/**
 * `transportSuite`: the behaviour every {@link Transport} must have. Call it from a vitest file with a factory that
 * returns a fresh, unconnected transport per test; groups that depend on a capability run only when the transport
 * declares it.
 */
import type { Transport } from '@q/core';
import { describe } from 'vitest';
import { acknowledgementTests } from './acknowledgement.js';
import { transportContext, type TransportSuiteOptions } from './context.js';
import { fanoutTests } from './fanout.js';
import { nativeDelayTests } from './native-delay.js';
import { prefetchTests } from './prefetch.js';
import { priorityTests } from './priorities.js';
import { publishConsumeTests } from './publish-consume.js';
import { queueAdminTests } from './queue-admin.js';
import { redeliveryTests } from './redelivery.js';
import { routingTests } from './routing.js';

export type { TransportSuiteOptions } from './context.js';

/** Register the transport conformance tests under `describe(name)`. */
export function transportSuite(name: string, factory: () => Promise<Transport>, options: TransportSuiteOptions = {}): void {
  describe(`${name}: transport conformance`, async () => {
    // Capabilities are data: read them from an instance that is never connected.
    const capabilities = options.capabilities ?? (await factory()).capabilities;
    const ctx = transportContext(factory, options);
    publishConsumeTests(ctx);
    routingTests(ctx, capabilities.topic);
    acknowledgementTests(ctx);
    redeliveryTests(ctx);
    prefetchTests(ctx);
    priorityTests(ctx, capabilities.priorities);
    fanoutTests(ctx, capabilities.fanout);
    nativeDelayTests(ctx, capabilities.nativeDelay !== false);
    queueAdminTests(ctx);
  });
}
