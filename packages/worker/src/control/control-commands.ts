/**
 * The built-in control commands (Celery's `@control_command`s in `celery/worker/control.py`): actions replied as
 * `{ok: "<text>"}` / `{error: "<text>"}` with Celery's texts (`vectors/control-*-reply.json`).
 */
import type { ControlCommand, ControlCommandReply } from '@q/core';
import type { AddConsumerOptions } from '../consumer/added-queue.js';
import { NotRegisteredError, QError } from '@q/core';
import type { ControlledWorker } from './controlled-worker.js';
import { errorReply, exceptionRepr } from './error-reply.js';
import { NO_REPLY } from './no-reply.js';
import { rateLimitError } from './rate-limit-check.js';
import { requestShutdown } from './remote-shutdown.js';

type Command = ControlCommand<ControlledWorker>;

const ok = (text: string): ControlCommandReply => ({ ok: text });
const nok = (text: string): ControlCommandReply => ({ error: text });

/** Raised (as Python's `NotImplementedError`) when this worker lacks what a command needs. */
function notImplemented(what: string): ControlCommandReply {
  return { error: exceptionRepr('NotImplementedError', what) };
}

/** `task_id` as a list of ids (one id, a list, or nothing). */
function idsOf(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

const numberOr = (value: unknown, fallback: number): number => (typeof value === 'number' && Number.isFinite(value) ? value : fallback);
const limitOf = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/** Celery's `_revoke` and its replies. */
function revoke(worker: ControlledWorker, args: Record<string, unknown>, terminate: boolean): ControlCommandReply {
  const ids = idsOf(args['task_id']);
  const signal = typeof args['signal'] === 'string' || typeof args['signal'] === 'number' ? args['signal'] : undefined;
  const result = worker.revoke(ids, signal === undefined ? { terminate } : { terminate, signal });
  if (!terminate) return ok(`tasks ${result.revoked.join(', ')} flagged as revoked`);
  return ok(result.terminated.length > 0 ? `terminate: ${result.terminated.join(', ')}` : 'terminate: tasks unknown');
}

/** Python's `NotImplementedError` for what this worker's pool cannot do (`Q_ERR_CAPABILITY_UNSUPPORTED`), else `null`. */
function unsupported(err: unknown): ControlCommandReply | null {
  return err instanceof QError && err.code === 'Q_ERR_CAPABILITY_UNSUPPORTED' ? notImplemented(err.message) : null;
}

/** A pool resize; `Q_ERR_CAPABILITY_UNSUPPORTED` reads as Python's `NotImplementedError`. */
function resize(worker: ControlledWorker, how: 'grow' | 'shrink', n: number): ControlCommandReply {
  if (worker.autoscale !== null) {
    return nok(`pool_${how} is not supported with autoscale. Adjust autoscale range instead.`);
  }
  try {
    if (how === 'grow') worker.growPool(n);
    else worker.shrinkPool(n);
  } catch (err) {
    const reply = unsupported(err);
    if (reply === null) throw err;
    return reply;
  }
  return ok(`pool will ${how}`);
}

/** Deferred work of each worker, run one after the other (an `add_consumer` then a `cancel_consumer` keep their order). */
const deferred = new WeakMap<object, Promise<void>>();

/** Runs `work` after the reply is sent and after the work deferred before it (Celery's `consumer.call_soon`), logging a failure. */
function soon(worker: ControlledWorker, what: string, work: () => Promise<void>): void {
  const previous = deferred.get(worker) ?? Promise.resolve();
  const next = previous
    .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
    .then(work)
    .catch((err: unknown) => worker.logger.error({ err }, `${what} failed`));
  deferred.set(worker, next);
}

/** The built-in control commands, in Celery's order. */
export const CONTROL_COMMANDS: readonly Command[] = [
  {
    name: 'revoke',
    type: 'control',
    variadic: 'task_id',
    signature: '[id1 [id2 [... [idN]]]]',
    help: 'revoke task by id (or list of ids)',
    handler: ({ worker }, args) => revoke(worker, args, args['terminate'] === true),
  },
  {
    name: 'terminate',
    type: 'control',
    args: [{ name: 'signal', type: 'string' }],
    variadic: 'task_id',
    signature: '<signal> [id1 [id2 [... [idN]]]]',
    help: 'terminate task by id (or list of ids)',
    handler: ({ worker }, args) => revoke(worker, args, true),
  },
  {
    name: 'rate_limit',
    type: 'control',
    args: [
      { name: 'task_name', type: 'string' },
      { name: 'rate_limit', type: 'string' },
    ],
    signature: '<task_name> <rate_limit (e.g., 5/s | 5/m | 5/h)>',
    help: 'set a new rate limit for a task type',
    handler: ({ worker, logger }, args) => {
      const name = String(args['task_name']);
      const rate = args['rate_limit'] as string | number | null | undefined;
      const invalid = rateLimitError(rate);
      if (invalid !== null) return nok(`Invalid rate limit string: ${invalid}`);
      if (!worker.app.tasks.has(name)) {
        logger.error(`Rate limit attempt for unknown task ${name}`);
        return nok('unknown task');
      }
      try {
        worker.setRateLimit(name, rate === undefined || rate === '' || rate === 0 ? null : rate);
      } catch (err) {
        if (err instanceof NotRegisteredError) return nok('unknown task');
        return nok(`Invalid rate limit string: ${errorReply(err).error}`);
      }
      if (!rate) {
        logger.info(`Rate limits disabled for tasks of type ${name}`);
        return ok('rate limit disabled successfully');
      }
      logger.info(`New rate limit for tasks of type ${name}: ${String(rate)}.`);
      return ok('new rate limit set successfully');
    },
  },
  {
    name: 'time_limit',
    type: 'control',
    args: [
      { name: 'task_name', type: 'string' },
      { name: 'soft', type: 'number' },
      { name: 'hard', type: 'number' },
    ],
    signature: '<task_name> <soft_secs> [hard_secs]',
    help: 'set new time limits for a task type',
    handler: ({ worker, logger }, args) => {
      const name = String(args['task_name']);
      if (!worker.app.tasks.has(name)) {
        logger.error(`Change time limit attempt for unknown task ${name}`);
        return nok('unknown task');
      }
      const soft = limitOf(args['soft']);
      const hard = limitOf(args['hard']);
      worker.setTimeLimits(name, { soft, hard });
      logger.info(`New time limits for tasks of type ${name}: soft=${soft ?? 'None'} hard=${hard ?? 'None'}`);
      return ok('time limits set successfully');
    },
  },
  {
    name: 'election',
    type: 'control',
    help: 'hold an election',
    handler: ({ logger }, args) => {
      // q has no gossip yet: the election is accepted and nothing is elected (Celery replies None too).
      logger.debug({ id: args['id'], topic: args['topic'] }, 'election: no gossip on this worker');
      return null;
    },
  },
  {
    name: 'enable_events',
    type: 'control',
    help: 'tell worker(s) to send task-related events',
    handler: ({ worker, logger }) => {
      if (!worker.setTaskEvents(true)) return ok('task events already enabled');
      logger.info('Events of group {task} enabled by remote.');
      return ok('task events enabled');
    },
  },
  {
    name: 'disable_events',
    type: 'control',
    help: 'tell worker(s) to stop sending task-related events',
    handler: ({ worker, logger }) => {
      if (!worker.setTaskEvents(false)) return ok('task events already disabled');
      logger.info('Events of group {task} disabled by remote.');
      return ok('task events disabled');
    },
  },
  {
    name: 'heartbeat',
    type: 'control',
    help: 'tell worker(s) to send an event heartbeat immediately',
    handler: ({ worker, logger }) => {
      logger.debug('heartbeat requested by remote');
      worker.eventSink?.heartbeat?.();
      return null;
    },
  },
  {
    name: 'pool_grow',
    type: 'control',
    args: [{ name: 'n', type: 'number' }],
    signature: '[N=1]',
    help: 'grow the pool by n processes/threads',
    handler: ({ worker }, args) => resize(worker, 'grow', numberOr(args['n'], 1)),
  },
  {
    name: 'pool_shrink',
    type: 'control',
    args: [{ name: 'n', type: 'number' }],
    signature: '[N=1]',
    help: 'shrink the pool by n processes/threads',
    handler: ({ worker }, args) => resize(worker, 'shrink', numberOr(args['n'], 1)),
  },
  {
    name: 'pool_restart',
    type: 'control',
    help: 'restart the execution pool',
    handler: ({ worker }) => {
      const pool = worker.parts.pool;
      if (pool !== undefined && pool.restart === undefined) {
        return notImplemented(`pool ${pool.name} cannot restart: its tasks run in the worker's own process (restart the worker instead)`);
      }
      soon(worker, 'pool restart', () => worker.restartPool());
      return ok('reload started');
    },
  },
  {
    name: 'autoscale',
    type: 'control',
    args: [
      { name: 'max', type: 'number' },
      { name: 'min', type: 'number' },
    ],
    signature: '[max [min]]',
    help: 'modify autoscale settings',
    handler: ({ worker }, args) => {
      const current = worker.autoscale;
      if (current === null) return nok(exceptionRepr('ValueError', 'Autoscale not enabled'));
      try {
        const [max, min] = worker.setAutoscale(limitOf(args['max']) ?? current[0], limitOf(args['min']) ?? current[1]);
        return ok(`autoscale now max=${max} min=${min}`);
      } catch (err) {
        const reply = unsupported(err);
        if (reply === null) throw err;
        return reply;
      }
    },
  },
  {
    name: 'shutdown',
    type: 'control',
    help: 'shut down worker(s)',
    handler: ({ worker, logger }, args) => {
      logger.warn(typeof args['msg'] === 'string' ? args['msg'] : 'Got shutdown from remote');
      requestShutdown(worker);
      return NO_REPLY;
    },
  },
  {
    name: 'add_consumer',
    type: 'control',
    args: [
      { name: 'queue', type: 'string' },
      { name: 'exchange', type: 'string' },
      { name: 'exchange_type', type: 'string' },
      { name: 'routing_key', type: 'string' },
    ],
    signature: '<queue> [exchange [type [routing_key]]]',
    help: 'tell worker(s) to consume from a task queue by name',
    handler: ({ worker }, args) => {
      const { queue, exchange, exchange_type: type, routing_key: key, ...options } = args;
      const name = String(queue);
      const spec: AddConsumerOptions = { exchangeType: typeof type === 'string' && type !== '' ? type : 'direct' };
      if (typeof exchange === 'string' && exchange !== '') spec.exchange = exchange;
      if (typeof key === 'string' && key !== '') spec.routingKey = key;
      if (Object.keys(options).length > 0) spec.options = options;
      soon(worker, `add consumer ${name}`, () => worker.addConsumer(name, spec));
      return ok(`add consumer ${name}`);
    },
  },
  {
    name: 'cancel_consumer',
    type: 'control',
    args: [{ name: 'queue', type: 'string' }],
    signature: '<queue>',
    help: 'tell worker(s) to stop consuming from a task queue by name',
    handler: ({ worker }, args) => {
      const name = String(args['queue']);
      soon(worker, `cancel consumer ${name}`, () => worker.cancelConsumer(name));
      return ok(`no longer consuming from ${name}`);
    },
  },
];

