/**
 * Celery's setting names → q's option paths, so that `createApp({ broker_url: … })` (a Celery configuration
 * pasted into `createApp`) names the option to use instead of saying only "is not an option". The common
 * settings only; docs/celery-parity.md has the whole list, with what is not planned and why.
 */

/** Celery setting (lowercase, as in Celery 4+) → q option path. */
export const CELERY_SETTING_NAMES: Readonly<Record<string, string>> = Object.freeze({
  broker_url: 'broker',
  broker_read_url: 'broker',
  broker_write_url: 'broker',
  result_backend: 'backend',
  broker_transport_options: 'brokerOptions.transportOptions',
  broker_connection_retry: 'brokerOptions.connectionRetry',
  broker_connection_retry_on_startup: 'brokerOptions.connectionRetry',
  broker_connection_max_retries: 'brokerOptions.connectionMaxRetries',
  broker_connection_timeout: 'brokerOptions.connectionTimeout',
  accept_content: 'accept',
  result_accept_content: 'accept',
  imports: 'include',
  task_serializer: 'task.serializer',
  task_compression: 'task.compression',
  // Celery 5.2.6 compresses the task messages it sends with `result_compression` (never results; task_compression
  // is read nowhere): q's equivalent is `task.compression`.
  result_compression: 'task.compression',
  task_default_queue: 'task.defaultQueue',
  task_default_exchange: 'task.defaultExchange',
  task_default_exchange_type: 'task.defaultExchangeType',
  task_default_routing_key: 'task.defaultRoutingKey',
  task_queues: 'task.queues',
  task_routes: 'task.routes',
  task_create_missing_queues: 'task.createMissingQueues',
  task_default_priority: 'task.defaultPriority',
  task_inherit_parent_priority: 'task.inheritParentPriority',
  task_queue_max_priority: 'task.queueMaxPriority',
  task_default_delivery_mode: 'task.deliveryMode',
  task_publish_retry: 'task.publishRetry',
  task_publish_retry_policy: 'task.publishRetryPolicy',
  task_acks_late: 'task.acksLate',
  task_reject_on_worker_lost: 'task.rejectOnWorkerLost',
  task_track_started: 'task.trackStarted',
  task_ignore_result: 'task.ignoreResult',
  task_store_errors_even_if_ignored: 'task.storeErrorsEvenIfIgnored',
  task_time_limit: 'task.timeLimit',
  task_soft_time_limit: 'task.softTimeLimit',
  task_default_rate_limit: 'task.defaultRateLimit',
  task_send_sent_event: 'task.sendSentEvent',
  task_always_eager: 'task.alwaysEager',
  task_eager_propagates: 'task.eagerPropagates',
  task_store_eager_result: 'task.storeEagerResult',
  result_expires: 'result.expires',
  result_extended: 'result.extended',
  result_serializer: 'result.serializer',
  result_persistent: 'result.persistent',
  result_backend_transport_options: 'result.backendOptions',
  result_chord_retry_interval: 'result.chordRetryInterval',
  database_table_names: 'result.backendOptions.tableNames',
  database_table_schemas: 'result.backendOptions.tableSchemas',
  database_engine_options: 'result.backendOptions.poolOptions',
  worker_concurrency: 'worker.concurrency',
  worker_prefetch_multiplier: 'worker.prefetchMultiplier',
  worker_pool: 'worker.pool',
  worker_send_task_events: 'worker.sendTaskEvents',
  worker_disable_rate_limits: 'worker.disableRateLimits',
  worker_max_tasks_per_child: 'worker.maxTasksPerChild',
  worker_max_memory_per_child: 'worker.maxMemoryPerChild',
  worker_state_db: 'worker.stateDb',
  worker_enable_remote_control: 'worker.enableRemoteControl',
  worker_direct: 'worker.direct',
  control_exchange: 'control.exchange',
  control_queue_expires: 'control.queueExpires',
  control_queue_ttl: 'control.queueTtl',
  event_exchange: 'events.exchange',
  event_queue_prefix: 'events.queuePrefix',
  event_queue_expires: 'events.queueExpires',
  event_queue_ttl: 'events.queueTtl',
  event_serializer: 'events.serializer',
  beat_schedule: 'beat.schedule',
  beat_max_loop_interval: 'beat.maxLoopInterval',
  beat_sync_every: 'beat.syncEvery',
  beat_schedule_filename: 'beat.scheduleFilename',
  security_key: 'security.key',
  security_certificate: 'security.certificate',
  security_cert_store: 'security.certStore',
  security_digest: 'security.digest',
});

/**
 * The q option path for a Celery setting name, or `null`. Case-insensitive, and Celery 3's prefixed names
 * (`CELERY_RESULT_BACKEND`, `BROKER_URL`) are read as their Celery 4 names.
 */
export function qOptionForCelerySetting(name: string): string | null {
  const lower = name.toLowerCase();
  return CELERY_SETTING_NAMES[lower] ?? CELERY_SETTING_NAMES[lower.replace(/^celery_/, '')] ?? null;
}

/** How the option is written in `createApp`: `task.serializer` → `createApp({ task: { serializer: … } })`. */
export function createAppExample(path: string): string {
  const parts = path.split('.');
  const inner = parts.reduceRight((acc, key) => `{ ${key}: ${acc} }`, '…');
  return `createApp(${inner})`;
}
