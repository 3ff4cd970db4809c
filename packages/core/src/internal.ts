/**
 * `@q/core/internal`: what q's own packages (`@q/worker`, `@q/cli`, …) share with core and nothing else should
 * use. Not covered by semver: names here change with any release of `@q/core`. Applications import `@q/core`;
 * adapter authors `@q/core/adapter`.
 * @packageDocumentation
 */
// configuration and CLI
export { resolveConfig } from './config/resolve-config.js';
export { CLI_OVERRIDES_KEY, clearCliOverrides, getCliOverrides, setCliOverrides } from './config/cli-overrides.js';
export type { CliOverrides } from './config/cli-overrides.js';
export { APP_MODULE_LOADING_KEY, appModuleLoading, setAppModuleLoading } from './config/app-module-loading.js';
export { isRateLimit, parseRateLimit } from './config/rate-limit.js';
export { embeddedPaths } from './app/adapters.js';
export { resolveBeatLockUrl, resolveBeatStoreUrl } from './plugins/beat-state-url.js';
export type { BeatStateResolveContext } from './plugins/beat-state-url.js';

// routing and publishing
export { resolveRoute, withRouteOptions } from './routing/routing.js';
export type { ResolvedRoute, RouteContext, RouteInput, RoutePublishOptions } from './routing/routing.js';
export { describeRoutes, globToRegExp, prepareRoutes } from './config/prepare-routes.js';
export { lookupRoute } from './routing/lookup-route.js';
export type { RouteLookup, RouterCall } from './routing/lookup-route.js';
export { Producer } from './publish/producer.js';
export type { ProducerHost, PublishOptions } from './publish/producer.js';
export { routePublishOptions, sendTaskMessage } from './publish/send-task.js';
export type { SendHost } from './publish/send-task.js';
export { buildTaskMessage } from './publish/build-task-message.js';
export type { MessageContext, MessageOptions, TaskCall, TaskMessageInput } from './publish/build-task-message.js';
export { signatureCall } from './publish/signature-call.js';

// tasks
export type { TaskHost } from './task/task.js';
export type { MessageDefaults } from './task/task-options.js';
export { resolveTaskOptions } from './task/task-options.js';
export { TaskRegistry } from './task/registry.js';
export type { AnyTask } from './task/registry.js';
export { toWireList, toWireSignature } from './canvas/to-wire.js';
export { bindArguments, declaredParams, parseParams } from './task/params.js';
export type { ParamSpec } from './task/params.js';
export { Replace, isControlSignal, isIgnore, isReject, isReplace, isRetry } from './task/control.js';
export { throwRetry } from './task/retry-signal.js';
export type { RetryTarget } from './task/retry-signal.js';
export { currentTask, runAsTask } from './task/current-task.js';
export type { RunningTask } from './task/current-task.js';

// canvas
export { applyCanvas, applyFrozen } from './canvas/apply-canvas.js';
export type { CanvasSender } from './canvas/apply-canvas.js';
export { checkCanvas, checkEmbed, embedHasSignatures } from './canvas/check-canvas.js';
export { dependencyFailed, exceptionRepr, failChordBody } from './canvas/chord-failure.js';
export { appendOption, chainSteps, chordSignature, freezeCanvas, groupSignature, pushDownLinks, withParent } from './canvas/freeze.js';
export type { FreezeContext, Frozen } from './canvas/freeze.js';
export { readCanvas, readSignature } from './canvas/read-signature.js';
export type { CanvasNode } from './canvas/read-signature.js';
export { resultsFromTuple } from './result/async-result.js';
export type { ResultHost } from './result/async-result.js';

// plugins and URLs
export { PluginHost } from './plugins/plugin-host.js';
export type { PluginHostOptions, SerializerSink } from './plugins/plugin-host.js';
export { importPackage, processConditions } from './plugins/import-package.js';
export { importPackagePlugin, liftBackend, liftTransport, resolveBackendUrl, resolveTransportUrl } from './plugins/url-resolver.js';
export type { AdapterKind, UrlResolveContext } from './plugins/url-resolver.js';
export { SCHEME_PACKAGES } from './plugins/scheme-packages.js';
export type { SchemePackages } from './plugins/scheme-packages.js';
export { builtinPlugin } from './plugins/builtin-plugin.js';

// the task protocol
export type * from './protocol/task-message.js';
export { pyJsonString, pyNumber } from './protocol/python-json.js';
export { argsRepr, kwargsRepr, pyStrRepr, pythonRepr } from './protocol/repr.js';
export { naiveUtcIso, parseIsoDate, toIsoWithOffset } from './protocol/time.js';
export { oid, originName, uuid, uuid3 } from './protocol/ids.js';
export {
  encodeException,
  encodedNotRegistered,
  encodedRetry,
  encodedTaskRevoked,
  encodedWorkerLost,
  formatTraceback,
  hardTimeLimitError,
  isEncodedException,
  toRemoteError,
} from './protocol/exceptions.js';
export { emptyEmbed, encodeTaskMessage, newTaskMessage, taskBody, taskHeaders } from './protocol/encode-task.js';
export { decodeTaskMessage, decodeTaskMessageNow } from './protocol/decode-task.js';
export { SerializerRegistry, createDefaultRegistry } from './serialization/registry.js';
export { cleanupBackend } from './app/builtin-tasks.js';
