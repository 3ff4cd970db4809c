/**
 * `@q/core`: what an application uses: the app and its configuration, tasks and calling, signatures, results,
 * errors, the plugin interface, and the adapters that ship with core (memory, embedded filesystem).
 *
 * Two more entry points: `@q/core/adapter` for authors of transports, result backends, serializers, pools and
 * plugins (contracts and the core's lifting machinery), and `@q/core/internal`, shared by q's own packages
 * (worker, CLI) and not covered by semver.
 * @packageDocumentation
 */
export * from './errors/codes.js';
export * from './errors/q-error.js';

// app and configuration
export { App, createApp } from './app/app.js';
export type { BoundParameters } from './app/app.js';
export type { AppOptions, BackendSetting, BeatEntrySetting, BrokerSetting, QueueOptions, ResolvedConfig, RetryPolicy, RouteOptions } from './config/options.js';
export { CORE_VERSION } from './version.js';

// tasks and calling
export { Task } from './task/task.js';
export type { TaskFunction } from './task/task.js';
export type { ApplyOptions, EagerApplyOptions, ErrorClass, RetryOptions, SignatureLike, TaskContext, TaskKwargs, TaskOptions } from './task/types.js';
export type { ResolvedTaskOptions } from './task/task-options.js';
export type { TaskRegistry } from './task/registry.js';
// canvas: signatures and workflows
export { Canvas, Signature } from './canvas/signature.js';
export type { SignatureInit } from './canvas/signature.js';
export { Chain, chain } from './canvas/chain.js';
export type { HandleOf } from './canvas/chain.js';
export { Group, group } from './canvas/group.js';
export { Chord, chord } from './canvas/chord.js';
export type { HeaderResults } from './canvas/chord.js';
export type { Accepts, AnySignature, CheckedSteps, DoesNotAccept, Drop, Last, ParamsOf, Prefix, ResultOf, ResultsOf } from './canvas/canvas-types.js';
export type { CanvasApp } from './canvas/canvas-app.js';
export type { ApplyInput, CallLinks } from './canvas/apply-canvas.js';
export type { ResultTuple } from './canvas/freeze.js';
export { Ignore, Reject, Retry } from './task/control.js';
export type { RetryInit } from './task/control.js';
export { PyTuple } from './protocol/repr.js';
export { WORKER_DIRECT_EXCHANGE, workerDirect } from './routing/worker-direct.js';
export type { PreparedRouter, Route, RoutedTask, RoutedTaskOptions, Router, RouterCallOptions } from './config/resolved-config.js';
export type { RouteMap, RoutePairs, RoutePattern, RouteSpec, Routes } from './config/prepare-routes.js';
export { broadcastQueue } from './routing/broadcast-queue.js';
export type { BroadcastQueueOptions } from './routing/broadcast-queue.js';

// message signing (Celery's `auth` serializer)
export { AUTH_CONTENT_TYPE, authSerializer } from './security/auth-serializer.js';
export type { AuthSerializerOptions } from './security/auth-serializer.js';
export { CertStore } from './security/cert-store.js';
export { parseCertificate } from './security/certificate.js';
export type { Certificate } from './security/certificate.js';
export type { SecurityOptions } from './security/setup-security.js';

// results
export { AsyncResult, resultFromTuple, restoreGroupResult } from './result/async-result.js';
export type { CollectOptions, GetOptions } from './result/async-result.js';
export { ResultSet } from './result/result-set.js';
export type { JoinOptions, ResultMembers, SettledValues } from './result/result-set.js';
export { GroupResult } from './result/group-result.js';
// eager mode: results of tasks run in the calling process (`task.apply`, `task.alwaysEager`)
export { EagerResult } from './eager/eager-result.js';
export type { EagerOutcome } from './eager/eager-result.js';
export { EagerGroupResult } from './eager/eager-group-result.js';
export type { ResultBase, ResultHost, ResultKind, ResultRevokeOptions, RevokeHost, WaitOptions } from './result/result-base.js';
export { EXCEPTION_STATES, PROPAGATE_STATES, READY_STATES, UNREADY_STATES, isExceptionState, isReady } from './result/states.js';

// remote control
export { Control } from './control/control.js';
export type { AddConsumerOptions, ControlHost, ControlReplies, PoolRestartOptions, RevokeOptions, TimeLimitOptions } from './control/control.js';
export { Inspect } from './control/inspect.js';
export type { InspectHost, InspectReplies } from './control/inspect.js';
export type { BroadcastOptions, ControlOptions, ControlTarget, InspectOptions, NodeReply } from './control/control-options.js';
export type * from './control/replies.js';
export type { ControlMatcher } from './control/pidbox-message.js';
export { LamportClock } from './control/lamport-clock.js';
export { flattenReplies } from './control/flatten-replies.js';
export type { FlattenedReplies } from './control/flatten-replies.js';
export { DEFAULT_CONTROL_TIMEOUT } from './control/mailbox.js';
export type { MailboxHost } from './control/mailbox.js';

// the plugin interface: the contracts plugins and adapters implement (helpers for writing them: `@q/core/adapter`)
export type * from './contracts/index.js';
export { HOOK_MODES, silentLogger } from './contracts/index.js';
export type { TaskMessage, WireSignature } from './protocol/task-message.js';

// adapters that ship with core
export { virtualTransport } from './transport/virtual-transport.js';
export type { VirtualTransportOptions } from './transport/virtual-transport.js';
export { memoryQueueDriver } from './transport/memory-queue-driver.js';
export type { MemoryQueueDriverOptions } from './transport/memory-queue-driver.js';
export { keyValueBackend } from './backend/key-value-backend.js';
export type { KeyValueBackend, KeyValueBackendOptions, OverriddenKeyValueBackend } from './backend/key-value-backend.js';
export { memoryKeyValueDriver } from './backend/memory-key-value-driver.js';
export type { MemoryKeyValueDriverOptions } from './backend/memory-key-value-driver.js';
export { filesystemQueueDriver } from './embedded/filesystem-queue-driver.js';
export type { FilesystemQueueDriverOptions } from './embedded/filesystem-queue-driver.js';
export { filesystemKeyValueDriver } from './embedded/filesystem-key-value-driver.js';
export type { FilesystemKeyValueDriverOptions } from './embedded/filesystem-key-value-driver.js';
