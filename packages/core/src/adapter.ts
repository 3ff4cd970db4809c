/**
 * `@q/core/adapter`: for authors of transports, queue drivers, result backends, key-value drivers, serializers,
 * codecs, pools and plugins. The contracts (`Transport`, `QueueDriver`, `ResultBackend`, `KeyValueDriver`, …),
 * the core machinery that lifts a small driver into a full adapter, Celery's wire documents an adapter stores
 * or forwards, and the helpers q's own adapters use to read URLs and options. See `docs/authoring/`.
 * @packageDocumentation
 */
export * from './errors/codes.js';
export * from './errors/q-error.js';
export { tlsVerifyCode } from './errors/tls-verify.js';
export type * from './contracts/index.js';
export { HOOK_MODES, silentLogger } from './contracts/index.js';

// lifting a driver into an adapter
export { virtualTransport } from './transport/virtual-transport.js';
export type { VirtualTransportOptions } from './transport/virtual-transport.js';
export { isKeyValueDriver, isQueueDriver } from './transport/guards.js';
export { keyValueBackend } from './backend/key-value-backend.js';
export type { KeyValueBackend, KeyValueBackendOptions, OverriddenKeyValueBackend } from './backend/key-value-backend.js';
export { REVOKED_COUNT_KEY, chordCounterKey, groupKey, revokedBatchKey, taskKey } from './backend/keys.js';
export { LiveSubscriptions } from './backend/live-subscriptions.js';
export { PerTransportConsumer } from './transport/per-transport-consumer.js';
export type { SubscriptionEnd } from './backend/live-subscriptions.js';
export { memoryQueueDriver } from './transport/memory-queue-driver.js';
export type { MemoryQueueDriverOptions } from './transport/memory-queue-driver.js';
export { memoryKeyValueDriver } from './backend/memory-key-value-driver.js';
export type { MemoryKeyValueDriverOptions } from './backend/memory-key-value-driver.js';

// Celery's documents on the wire
export type { DecodedEnvelope, EnvelopeFields } from './protocol/envelope.js';
export { decodeEnvelope, encodeEnvelope, markRedelivered } from './protocol/envelope.js';
export type { ResultTuple } from './protocol/result-document.js';
export {
  decodeGroupMeta,
  decodeResultDocument,
  encodeGroupMeta,
  encodeResultDocument,
  encodeRpcResult,
  groupResultTuple,
  groupTaskIds,
  readResultTuple,
  resultTuple,
} from './protocol/result-document.js';
export { pyJsonParse, pyJsonStringify } from './protocol/python-json.js';
export { decodeControlReply, decodeControlRequest, encodeControlReply, encodeControlRequest, isForNode } from './control/pidbox-message.js';
export type { ControlMatcher, ControlReply, ControlReplyTo, ControlRequest, ReceivedControlRequest } from './control/pidbox-message.js';
export { pendingMeta } from './result/async-result.js';
export { jsonSerializer } from './serialization/json-serializer.js';
export { KOMBU_CODECS, brotliCodec, builtinCodecs, zlibCodec, zstdCodec } from './serialization/codecs.js';

// topology of Celery's broadcast exchanges (remote control, events) and of task queues
export { controlExchange, controlQueueTopology, controlReplyTopology, eventExchange, eventReceiverTopology } from './routing/broadcast-topology.js';
export type { BroadcastTopologyOptions } from './routing/broadcast-topology.js';
export { workerDirectTopology } from './routing/worker-direct.js';
export { BROADCAST_QUEUE_PREFIX, consumedQueueTopology, isBroadcastQueue } from './routing/broadcast-queue.js';
export { queueTopology } from './routing/routing.js';
export type { QueueTopology } from './routing/routing.js';

// URLs, options, connections
export { maskUrl, parseAdapterUrl } from './plugins/url-resolver.js';
export { withDefaultOption } from './plugins/adapter-options.js';
export { BOOLEAN_WORDS_HINT, parseBooleanWord } from './plugins/boolean-word.js';
export { connectWithRetry } from './app/connect-retry.js';
export type { Connectable } from './app/connect-retry.js';
export { withPublishRetry } from './publish/publish-retry.js';

// batching a turn's operations into one round trip
export { TickBatcher } from './batching/tick-batcher.js';
export type { BatchFlush } from './batching/tick-batcher.js';

// beat stores: a stored state read back
export { asBeatState, parseBeatState } from './contracts/parse-beat-state.js';
