/**
 * `@q/conformance`: the vitest suites every q adapter must pass. Each takes a factory that returns a fresh adapter
 * per test; behaviour groups that depend on a capability run only when the adapter declares it. An adapter's
 * conformance test is a few lines:
 *
 * ```ts
 * import { queueDriverSuite } from '@q/conformance';
 * queueDriverSuite('redis', async (o) => redisQueueDriver({ url, visibilityTimeoutMs: o.visibilityTimeoutMs }), { visibilityTimeout: true });
 * ```
 */
export { transportSuite, type TransportSuiteOptions } from './transport/transport-suite.js';
export {
  queueDriverSuite,
  type QueueDriverFactoryOptions,
  type QueueDriverSuiteOptions,
} from './queue-driver/queue-driver-suite.js';
export { resultBackendSuite, type ResultBackendSuiteOptions } from './result-backend/result-backend-suite.js';
export { keyValueDriverSuite, type KeyValueDriverSuiteOptions } from './key-value-driver/key-value-driver-suite.js';
export { poolSuite, type PoolSuiteFactory, type PoolSuiteOptions } from './pool/pool-suite.js';
export { suiteApp } from './pool/suite-app.js';
export { kombuEnvelope, readEnvelope } from './helpers.js';
