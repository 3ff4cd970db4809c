/**
 * `resolveConfig(options)`: validates every option of {@link AppOptions} once, applies Celery's defaults and
 * returns a deep-frozen {@link ResolvedConfig}. Errors are {@link ConfigError}s (`Q_ERR_CONFIG_INVALID`) whose
 * message names the option path.
 */
import { resolve as resolvePath } from 'node:path';
import { ConfigError } from '../errors/q-error.js';
import type { AppOptions, ResolvedConfig } from './options.js';
import { isRateLimit } from './rate-limit.js';
import { prepareRoutes } from './prepare-routes.js';
import {
  arrayOf,
  bool,
  deepFreeze,
  field,
  group,
  hasMethods,
  invalid,
  nullable,
  num,
  record,
  resolveGroup,
  shape,
  str,
  type Check,
} from './config-schema.js';

const TRANSPORT_METHODS = ['connect', 'close', 'declareQueue', 'publish', 'consume'] as const;
const QUEUE_DRIVER_METHODS = ['connect', 'close', 'put', 'reserve', 'ack', 'release'] as const;
const BACKEND_METHODS = ['connect', 'close', 'storeResult', 'getTaskMeta'] as const;
const KV_METHODS = ['connect', 'close', 'get', 'set', 'delete'] as const;

/** A URL string or an adapter instance with the listed methods. */
function adapter(what: string, kinds: Record<string, readonly string[]>): Check<unknown> {
  return (v, p) => {
    if (typeof v === 'string') return v.trim().length > 0 ? v : invalid(p, `a URL or ${what}`, v);
    if (typeof v === 'object' && v !== null) {
      for (const methods of Object.values(kinds)) {
        if (methods.every((m) => typeof (v as Record<string, unknown>)[m] === 'function')) return v;
      }
    }
    return invalid(p, `a URL or ${what}`, v);
  };
}

const timezone: Check<string> = (v, p) => {
  const name = str({ nonEmpty: true })(v, p);
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
  } catch {
    return invalid(p, 'an IANA time zone name', v);
  }
  return name;
};

const rateLimit: Check<string> = (v, p) => {
  const s = str()(v, p);
  return isRateLimit(s) ? s : invalid(p, 'a rate limit like "10", "10/s", "5/m" or "100/h"', v);
};

const plugin = hasMethods('a plugin', ['setup']);
const plugins: Check<unknown[]> = (v, p) =>
  arrayOf((item, ip) => {
    plugin(item, ip);
    const name = (item as { name?: unknown }).name;
    return typeof name === 'string' && name ? item : invalid(`${ip}.name`, 'a non-empty string', name);
  })(v, p);

const retryPolicy = shape<Record<string, number>>({
  maxRetries: { check: num({ min: 0, int: true }) },
  intervalStart: { check: num({ min: 0 }) },
  intervalStep: { check: num({ min: 0 }) },
  intervalMax: { check: num({ min: 0 }) },
});

const priority = num({ min: 0, max: 255, int: true });
const exchangeType = str({ oneOf: ['direct', 'topic', 'fanout'] });

const queueOption = shape<Record<string, unknown>>({
  name: { check: str({ nonEmpty: true }), required: true },
  exchange: { check: str() },
  exchangeType: { check: exchangeType },
  routingKey: { check: str() },
  maxPriority: { check: priority },
  durable: { check: bool },
  autoDelete: { check: bool },
  arguments: { check: record },
  broadcast: { check: bool },
});


const seconds = num({ min: 0 });
const positiveSeconds = num({ positive: true });

/** A schedule of a beat entry: seconds, a `Schedule` (has `isDue`), or a stored form (`{ kind: … }`). */
const entrySchedule: Check<unknown> = (v, p) => {
  if (typeof v === 'number') return v > 0 && Number.isFinite(v) ? v : invalid(p, 'a positive number of seconds, a Schedule or { kind: … }', v);
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    if (typeof o.isDue === 'function' || (typeof o.kind === 'string' && o.kind !== '')) return v;
  }
  return invalid(p, 'a positive number of seconds, a Schedule or { kind: … }', v);
};

const beatEntry = shape<Record<string, unknown>>({
  task: { check: str({ nonEmpty: true }), required: true },
  schedule: { check: entrySchedule, required: true },
  args: { check: arrayOf((x) => x) },
  kwargs: { check: record },
  options: { check: record },
  relative: { check: bool },
});

/** `beat.schedule`: entries by name (Celery's `beat_schedule`). */
const beatSchedule: Check<Record<string, unknown>> = (v, p) => {
  const entries = record(v, p);
  for (const [name, entry] of Object.entries(entries)) entries[name] = beatEntry(entry, `${p}.${name}`);
  return entries;
};

/**
 * PEM text holding a `-----BEGIN … <label>-----` block (or `null` when `nullable`). A file name is refused with a
 * hint (q reads no files). A `secret` value is never echoed in the error.
 */
function pem(label: string, opts: { secret?: boolean; nullable?: boolean } = {}): Check<string | null> {
  const block = new RegExp(`-----BEGIN [A-Z ]*${label}-----`);
  return (v, p) => {
    if (v === null && opts.nullable === true) return null;
    if (typeof v === 'string' && block.test(v)) return v;
    const expected = `PEM text with a ${label} (read the file: readFileSync(path, 'utf8'))${opts.nullable === true ? ' or null' : ''}`;
    if (opts.secret !== true) return invalid(p, expected, v);
    throw new ConfigError('Q_ERR_CONFIG_INVALID', `${p}: expected ${expected} (got ${typeof v === 'string' ? 'a string without one' : typeof v})`);
  };
}

const SCHEMA = group({
  name: field(str({ nonEmpty: true }), 'q'),
  broker: field(
    adapter('a Transport or QueueDriver instance', { transport: TRANSPORT_METHODS, driver: QUEUE_DRIVER_METHODS }),
    null,
  ),
  backend: field(
    nullable(adapter('a ResultBackend or KeyValueDriver instance', { backend: BACKEND_METHODS, kv: KV_METHODS })),
    undefined,
  ),
  plugins: field(plugins, () => []),
  logger: field(hasMethods('a logger', ['info', 'warn', 'error', 'debug', 'child']), null),
  embeddedDir: field(
    (v, p) => resolvePath(str({ nonEmpty: true })(v, p)),
    () => resolvePath(process.cwd(), '.q'),
  ),
  resolveFrom: field(
    (v, p) => resolvePath(str({ nonEmpty: true })(v, p)),
    () => process.cwd(),
  ),
  accept: field(arrayOf(str({ nonEmpty: true }), { nonEmpty: true }), () => ['json']),
  timezone: field(timezone, 'UTC'),
  include: field(arrayOf(str({ nonEmpty: true })), () => []),
  brokerOptions: group({
    transportOptions: field(record, () => ({})),
    connectionRetry: field(bool, true),
    connectionMaxRetries: field(nullable(num({ min: 0, int: true })), 100),
    connectionTimeout: field(positiveSeconds, 4),
    visibilityTimeout: field(positiveSeconds, null as number | null),
    pollInterval: field(positiveSeconds, null as number | null),
  }),
  task: group({
    defaultQueue: field(str({ nonEmpty: true }), 'celery'),
    defaultExchange: field(str(), null as string | null),
    defaultRoutingKey: field(str(), null as string | null),
    defaultExchangeType: field(exchangeType, 'direct'),
    queues: field(arrayOf(queueOption), () => []),
    routes: field(prepareRoutes, () => []),
    createMissingQueues: field(bool, true),
    serializer: field(str({ nonEmpty: true }), 'json'),
    compression: field(nullable(str({ nonEmpty: true })), null),
    defaultPriority: field(nullable(priority), null),
    inheritParentPriority: field(bool, false),
    queueMaxPriority: field(nullable(priority), null),
    deliveryMode: field(str({ oneOf: ['persistent', 'transient'] }), 'persistent'),
    publishRetry: field(bool, true),
    publishRetryPolicy: field(retryPolicy, () => ({})),
    acksLate: field(bool, false),
    rejectOnWorkerLost: field(bool, false),
    trackStarted: field(bool, false),
    ignoreResult: field(bool, false),
    storeErrorsEvenIfIgnored: field(bool, false),
    timeLimit: field(nullable(positiveSeconds), null),
    softTimeLimit: field(nullable(positiveSeconds), null),
    maxRetries: field(nullable(num({ min: 0, int: true })), 3),
    defaultRetryDelay: field(seconds, 180),
    defaultRateLimit: field(nullable(rateLimit), null),
    sendSentEvent: field(bool, false),
    alwaysEager: field(bool, false),
    eagerPropagates: field(bool, false),
    storeEagerResult: field(bool, false),
  }),
  result: group({
    expires: field(nullable(seconds), 86400),
    extended: field(bool, false),
    // Result documents are JSON only so far: a key-value store keeps text, and a stored SUCCESS is recognized by its
    // JSON (docs/guide/serializers.md). Another name fails here rather than being ignored.
    serializer: field(str({ oneOf: ['json'] }), 'json'),
    persistent: field(bool, false),
    backendOptions: field(record, () => ({})),
    pollInterval: field(positiveSeconds, 0.1),
    chordRetryInterval: field(positiveSeconds, 1),
  }),
  worker: group({
    concurrency: field(nullable(num({ min: 1, int: true })), null),
    prefetchMultiplier: field(num({ min: 0, int: true }), 4),
    pool: field(str({ nonEmpty: true }), 'async'),
    hostname: field(str({ nonEmpty: true }), 'celery@%h'),
    queues: field(nullable(arrayOf(str({ nonEmpty: true }), { nonEmpty: true })), null),
    shutdownTimeout: field(nullable(seconds), null),
    sendTaskEvents: field(bool, false),
    disableRateLimits: field(bool, false),
    maxTasksPerChild: field(nullable(num({ min: 1, int: true })), null),
    maxMemoryPerChild: field(nullable(num({ min: 1, int: true })), null),
    stateDb: field(nullable(str({ nonEmpty: true })), null),
    enableRemoteControl: field(bool, true),
    shareRevokes: field(bool, true),
    direct: field(bool, false),
  }),
  control: group({
    exchange: field(str({ nonEmpty: true }), 'celery'),
    queueExpires: field(positiveSeconds, 10),
    queueTtl: field(positiveSeconds, 300),
  }),
  events: group({
    exchange: field(str({ nonEmpty: true }), 'celeryev'),
    queuePrefix: field(str({ nonEmpty: true }), 'celeryev'),
    queueExpires: field(positiveSeconds, 60),
    queueTtl: field(positiveSeconds, 5),
    serializer: field(str({ nonEmpty: true }), 'json'),
  }),
  security: group({
    key: field(pem('PRIVATE KEY', { secret: true, nullable: true }), null as string | null),
    certificate: field(pem('CERTIFICATE', { nullable: true }), null as string | null),
    certStore: field(arrayOf(pem('CERTIFICATE')), () => [] as string[]),
    digest: field(str({ nonEmpty: true }), 'sha256'),
    serializer: field(str({ nonEmpty: true }), 'json'),
  }),
  beat: group({
    schedule: field(beatSchedule, () => ({})),
    maxLoopInterval: field(positiveSeconds, 300),
    syncEvery: field(seconds, 180),
    scheduleFilename: field(str({ nonEmpty: true }), 'celerybeat-schedule.json'),
    store: field(nullable(str({ nonEmpty: true })), null),
    lock: field(nullable(str({ nonEmpty: true })), null),
  }),
});

type Raw = Record<string, Record<string, unknown>>;

/**
 * Validates `options` and returns the frozen, fully defaulted configuration.
 * Instances (`broker`, `backend`, `plugins`, `logger`) are validated for shape but are not part of the result.
 * @throws ConfigError `Q_ERR_CONFIG_INVALID` naming the option path.
 */
export function resolveConfig(options: AppOptions = {}): ResolvedConfig {
  const raw = resolveGroup(SCHEMA, options, '') as Raw & Record<string, unknown>;
  const task = raw.task as Record<string, unknown>;
  const defaultQueue = task.defaultQueue as string;
  task.defaultExchange ??= defaultQueue;
  task.defaultRoutingKey ??= defaultQueue;
  task.publishRetryPolicy = {
    maxRetries: 3,
    intervalStart: 0,
    intervalStep: 0.2,
    intervalMax: 0.2,
    ...(task.publishRetryPolicy as Record<string, number>),
  };
  const seen = new Set<string>();
  task.queues = (task.queues as Record<string, unknown>[]).map((q, i) => {
    const name = q.name as string;
    if (seen.has(name)) throw new ConfigError('Q_ERR_CONFIG_INVALID', `task.queues[${i}].name: duplicate queue "${name}"`);
    seen.add(name);
    const broadcast = q.broadcast === true; // kombu's Broadcast: fanout, Celery's default binding key, auto-delete
    return {
      name,
      // Celery's `Queues._add`: no exchange → the default exchange (of `task.defaultExchangeType`), no routing key →
      // `task.defaultRoutingKey`; kombu's `Broadcast` names its own fanout exchange after the queue.
      exchange: q.exchange || (broadcast ? name : task.defaultExchange),
      exchangeType: q.exchangeType ?? (broadcast ? 'fanout' : q.exchange ? 'direct' : task.defaultExchangeType),
      routingKey: q.routingKey || task.defaultRoutingKey,
      maxPriority: q.maxPriority ?? null,
      durable: q.durable ?? true,
      autoDelete: q.autoDelete ?? broadcast,
      arguments: q.arguments ?? {},
      broadcast,
    };
  });
  const config = {
    name: raw.name,
    embeddedDir: raw.embeddedDir,
    resolveFrom: raw.resolveFrom,
    accept: raw.accept,
    timezone: raw.timezone,
    include: raw.include,
    broker: raw.brokerOptions,
    task,
    result: raw.result,
    worker: raw.worker,
    control: raw.control,
    events: raw.events,
    beat: raw.beat,
    security: raw.security,
  } as unknown as ResolvedConfig;
  return deepFreeze(config);
}
