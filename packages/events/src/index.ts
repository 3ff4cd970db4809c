/**
 * `@q/events`: Celery's event stream for q. The dispatcher sends task and worker events exactly as Python Celery
 * 5.2.6 does (exchange `celeryev`, `task.multi` batches), the receiver reads q's and Python's, `ClusterState` keeps
 * what they say, and `eventsPlugin()` puts the dispatcher and gossip into q workers and `task-sent` into clients.
 */
export { TASK_EVENT_TYPES, WORKER_EVENT_TYPES, eventGroup, eventRoutingKey } from './wire/event.js';
export type { EventCommonFields, QEvent, TaskEventType, WorkerEventFields, WorkerEventType } from './wire/event.js';
export { adjustTimestamp, utcoffset, utcoffsetCache } from './wire/utcoffset.js';
export { EVENT_CONTENT_TYPE, decodeEvents, encodeEvents } from './wire/event-message.js';
export type { DecodedEvents, OutgoingEvent } from './wire/event-message.js';

export { DEFAULT_EVENT_BUFFER_LIMIT, DEFAULT_MAX_PENDING_EVENTS, EventDispatcher, LOG_INTERVAL_MS, eventExchangeFor } from './dispatcher/event-dispatcher.js';
export type { EventDispatcherOptions } from './dispatcher/event-dispatcher.js';
export { EventReceiver } from './receiver/event-receiver.js';
export type { CaptureOptions, EventHandler, EventReceiverOptions } from './receiver/event-receiver.js';
export { CLIENT_CLOCK_SKEW, prepareEvent } from './receiver/localize.js';
export type { PrepareEventOptions } from './receiver/localize.js';

export { ClusterState } from './state/cluster-state.js';
export type { ClusterCounters, ClusterSnapshot, ClusterStateOptions } from './state/cluster-state.js';
export { taskPage } from './state/task-page.js';
export type { TaskPage, TaskQuery } from './state/task-page.js';
export { TIMELINE_MAX, TaskInfo } from './state/task-info.js';
export type { TaskEventInput, TaskSnapshot, TimelineEntry } from './state/task-info.js';
export { DEFAULT_WORKER_FREQ, HEARTBEAT_DRIFT_MAX, HEARTBEAT_EXPIRE_WINDOW, HEARTBEAT_MAX, WorkerInfo } from './state/worker-info.js';
export type { WorkerInfoOptions, WorkerSnapshot, WorkerStatus } from './state/worker-info.js';
export { MERGE_RULES, READY_STATES, TASK_EVENT_STATES, stateOfSubject, statePrecedence, takesState } from './state/task-precedence.js';
export type { KnownTaskState, TaskEventSubject, TaskState } from './state/task-precedence.js';

export { EVENTS_PLUGIN_NAME, eventsPlugin } from './plugin/events-plugin.js';
export type { EventsPluginOptions } from './plugin/events-plugin.js';
export { dispatcherOf, dispatcherStep } from './plugin/dispatcher-step.js';
export { gossipOf, gossipStep } from './plugin/gossip-step.js';
export { Gossip } from './plugin/gossip.js';
export type { GossipOptions } from './plugin/gossip.js';
export { Heart } from './plugin/heart.js';
export type { HeartSource } from './plugin/heart.js';
export { SOFTWARE_INFO, loadAverage } from './plugin/software-info.js';
export { clientNodename, taskSentHandler } from './plugin/task-sent.js';
export type { EventsWorkerHost } from './plugin/events-worker-host.js';
