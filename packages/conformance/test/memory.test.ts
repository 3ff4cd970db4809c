/** The memory adapters of @q/core pass every suite. */
import { keyValueDriverSuite, queueDriverSuite, resultBackendSuite, transportSuite } from '../src/index.js';
import { keyValueBackend, memoryKeyValueDriver, memoryQueueDriver, virtualTransport } from '@q/core';

let namespace = '';
const fresh = (): string => (namespace = `conformance-${Math.random().toString(36).slice(2)}`);

transportSuite('memory transport', async () => virtualTransport(memoryQueueDriver({ namespace: fresh() })), {
  peer: async () => virtualTransport(memoryQueueDriver({ namespace })),
  quietMs: 100,
});

// The memory transport over a driver with delayed delivery: runs the transports' native-delay group on every run.
transportSuite('memory transport with native delay', async () => virtualTransport(memoryQueueDriver({ namespace: fresh(), nativeDelay: { maxDelayMs: 900_000 } })), {
  peer: async () => virtualTransport(memoryQueueDriver({ namespace, nativeDelay: { maxDelayMs: 900_000 } })),
  quietMs: 100,
});

queueDriverSuite('memory queue driver', async () => memoryQueueDriver({ namespace: fresh() }), {
  peer: async () => memoryQueueDriver({ namespace }),
});

// The same driver with delayed delivery declared: runs the native-delay group, so that group is tested on every run.
queueDriverSuite('memory queue driver with native delay', async () => memoryQueueDriver({ namespace: fresh(), nativeDelay: { maxDelayMs: 900_000 } }), {
  peer: async () => memoryQueueDriver({ namespace, nativeDelay: { maxDelayMs: 900_000 } }),
});

keyValueDriverSuite('memory key-value driver', async () => memoryKeyValueDriver({ namespace: fresh() }), {
  peer: async () => memoryKeyValueDriver({ namespace }),
});

resultBackendSuite('memory result backend', async () => keyValueBackend(memoryKeyValueDriver({ namespace: fresh() })));
