/**
 * `@q/core`: the app, tasks and calling, the Celery protocol, results, contracts, errors, the plugin host,
 * and the adapters that ship with core (memory, embedded filesystem).
 */
export * from './errors/index.js';
export * from './contracts/index.js';

// app
export { App, createApp } from './app/app.js';
export type { BoundParameters } from './app/app.js';
export { connectWithRetry } from './app/connect-retry.js';
export type { Connectable } from './app/connect-retry.js';
export type {
  AppOptions,
  BackendSetting,
  BrokerSetting,
  QueueOptions,
  ResolvedConfig,
  RetryPolicy,
  RouteOptions,
} from './config/options.js';
export { resolveConfig } from './config/resolve-config.js';
export { CLI_OVERRIDES_KEY, clearCliOverrides, getCliOverrides, setCliOverrides } from './config/cli-overrides.js';
export type { CliOverrides } from './config/cli-overrides.js';
export { globToRegExp, matchRoute, queueTopology, resolveRoute } from './routing/routing.js';
export type { QueueTopology, ResolvedRoute, RouteInput } from './routing/routing.js';
export { controlExchange, controlQueueTopology, controlReplyTopology, eventExchange, eventReceiverTopology } from './routing/broadcast-topology.js';
export type { BroadcastTopologyOptions } from './routing/broadcast-topology.js';
export { Producer } from './publish/producer.js';
export { withPublishRetry } from './publish/publish-retry.js';
export type { ProducerHost, PublishOptions } from './publish/producer.js';
export { embeddedPaths } from './app/adapters.js';
export { withDefaultOption } from './plugins/adapter-options.js';
export { BOOLEAN_WORDS_HINT, parseBooleanWord } from './plugins/boolean-word.js';
export { CORE_VERSION } from './version.js';

// tasks
export { isRateLimit, parseRateLimit } from './config/rate-limit.js';
export { Task } from './task/task.js';
export type { TaskFunction, TaskHost } from './task/task.js';
export type { ApplyOptions, ErrorClass, RetryOptions, SignatureLike, TaskContext, TaskOptions } from './task/types.js';
export type { MessageDefaults, ResolvedTaskOptions } from './task/task-options.js';
export { resolveTaskOptions } from './task/task-options.js';
export { TaskRegistry } from './task/registry.js';
export type { AnyTask } from './task/registry.js';
export { Signature, toWireList, toWireSignature } from './task/signature.js';
export type { SignatureInit } from './task/signature.js';
export { bindArguments, declaredParams, parseParams } from './task/params.js';
export type { ParamSpec } from './task/params.js';
export { Ignore, Reject, Retry, isControlSignal, isIgnore, isReject, isRetry } from './task/control.js';
export type { RetryInit } from './task/control.js';
export { sendTaskMessage } from './publish/send-task.js';
export type { SendHost } from './publish/send-task.js';
export { buildTaskMessage } from './publish/build-task-message.js';
export type { MessageContext, MessageOptions, TaskCall, TaskMessageInput } from './publish/build-task-message.js';
export { signatureCall } from './publish/signature-call.js';

// results
export { AsyncResult, pendingMeta, resultsFromTuple } from './result/async-result.js';
export type { GetOptions, ResultHost } from './result/async-result.js';
export { EXCEPTION_STATES, PROPAGATE_STATES, READY_STATES, UNREADY_STATES, isExceptionState, isReady } from './result/states.js';

// plugins
export { PluginHost } from './plugins/plugin-host.js';
export type { PluginHostOptions, SerializerSink } from './plugins/plugin-host.js';
export {
  importPackagePlugin,
  liftBackend,
  liftTransport,
  maskUrl,
  parseAdapterUrl,
  resolveBackendUrl,
  resolveTransportUrl,
} from './plugins/url-resolver.js';
export type { AdapterKind, UrlResolveContext } from './plugins/url-resolver.js';
export { SCHEME_PACKAGES } from './plugins/scheme-packages.js';
export type { SchemePackages } from './plugins/scheme-packages.js';
export { builtinPlugin } from './plugins/builtin-plugin.js';

// protocol and serialization
export * from './protocol/index.js';
export * from './serialization/index.js';

// adapters that ship with core
export { virtualTransport } from './transport/virtual-transport.js';
export type { VirtualTransportOptions } from './transport/virtual-transport.js';
export { memoryQueueDriver } from './transport/memory-queue-driver.js';
export type { MemoryQueueDriverOptions } from './transport/memory-queue-driver.js';
export { isKeyValueDriver, isQueueDriver } from './transport/guards.js';
export { keyValueBackend } from './backend/key-value-backend.js';
export { chordCounterKey, groupKey, taskKey } from './backend/keys.js';
export type { KeyValueBackendOptions } from './backend/key-value-backend.js';
export { LiveSubscriptions } from './backend/live-subscriptions.js';
export type { SubscriptionEnd } from './backend/live-subscriptions.js';
export { memoryKeyValueDriver } from './backend/memory-key-value-driver.js';
export type { MemoryKeyValueDriverOptions } from './backend/memory-key-value-driver.js';
export { filesystemQueueDriver } from './embedded/filesystem-queue-driver.js';
export type { FilesystemQueueDriverOptions } from './embedded/filesystem-queue-driver.js';
export { filesystemKeyValueDriver } from './embedded/filesystem-key-value-driver.js';
export type { FilesystemKeyValueDriverOptions } from './embedded/filesystem-key-value-driver.js';
