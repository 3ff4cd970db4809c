/**
 * What a run's outcome becomes ({@link handleOutcome}): states, acks, follow-up messages and hooks for a success,
 * a failure (or hard time limit), a retry (asked for or `autoretryFor`), a replace, a reject or ignore, and a job the
 * pool gave up on (revoke with terminate, cold shutdown, lost child). `Trace` (trace.ts) coordinates the run and
 * handles the usual no-op success itself; everything else comes here (Celery's `Request.on_success`/`on_failure`).
 */
import { QError, Retry, TaskRevokedError } from '@q/core';
import {
  encodeException,
  encodedRetry,
  encodedTaskRevoked,
  encodedWorkerLost,
  formatTraceback,
  hardTimeLimitError,
  isIgnore,
  isReject,
  isReplace,
  isRetry,
} from '@q/core/internal';
import type { Logger, TaskState } from '@q/core';
import type { RunningTask, TaskMessage } from '@q/core/internal';
import type { EncodedException, PoolOutcome } from '@q/core/adapter';
import type { WorkerRuntime } from '../worker-runtime.js';
import { backoffCountdown } from './backoff.js';
import { describeValue } from './describe-value.js';
import { applyErrbacks, applySuccessFollowUps, hasSuccessFollowUps } from './follow-ups.js';
import { logEnabled } from './log-level.js';
import { publishRetry } from './retry.js';
import { ignoresResult, storeMeta, storeState, storesErrors, taskMeta, type StoreInit } from './store-state.js';
import { chordPartDone, failChainRest, messageMember } from './chord-part.js';
import { replaceTask } from './replace-task.js';
import { hookInfo, type TaskRequest } from './task-request.js';
import type { DeliverySettlement } from './settlement.js';
import { errorFields, revokedFields, succeededFields } from './task-events.js';
import { signalNumber } from '../state/terminate-reason.js';

/** The task's logger, created on first use (so a run that logs nothing creates none). */
export interface OutcomeLog {
  readonly log: Logger;
}

/** What handling an outcome needs from the run (built by `Trace` only when there is more to do than ack). */
export interface OutcomeRun {
  readonly rt: WorkerRuntime;
  readonly request: TaskRequest;
  readonly logSource: OutcomeLog;
  /** The delivery's ack/nack, once. */
  readonly settlement: DeliverySettlement;
  /** A signature the message carries is malformed: the task failed without running, nothing follows up. */
  readonly malformed: boolean;
  /** What the task sent while it ran (its `children`), when it ran here. */
  readonly running: RunningTask | null;
  /** The hard time limit in seconds (for a `timeout` outcome's error). */
  readonly hard: number | null;
}

/** Log the success line (shared with `Trace`'s no-op success path). */
export function logSucceeded(log: Logger, msg: TaskMessage, value: unknown, runtimeMs: number): void {
  log.info(`Task ${msg.name}[${msg.id}] succeeded in ${(runtimeMs / 1000).toFixed(6)}s: ${describeValue(value)}`);
}

/** Turn a pool outcome into states, acks, follow-ups and hooks. */
export function handleOutcome(run: OutcomeRun, outcome: PoolOutcome): Promise<void> {
  switch (outcome.kind) {
    case 'success':
      return onSuccess(run, outcome.value, outcome.runtimeMs);
    case 'failure':
      return onError(run, outcome.error);
    case 'timeout': {
      const { hard } = run;
      const err = hardTimeLimitError(hard);
      const msg = run.request.message;
      // What happened to the body depends on what the pool can do (its capabilities), not on its name.
      const fate = run.rt.pool.capabilities?.hardTimeout === true ? 'its child was terminated and is replaced' : 'its result will be discarded';
      run.logSource.log.error(`hard time limit (${hard ?? '?'}s) exceeded for ${msg.name}[${msg.id}]; ${fate}`);
      return onFailure(run, err);
    }
    case 'terminated':
      return onTerminated(run, outcome.reason);
  }
}

function logs(run: OutcomeRun, level: 'debug' | 'info'): boolean {
  return logEnabled(run.rt.logger, level);
}

/** Settle the delivery once; later calls wait for the first one. */
function settle(run: OutcomeRun, how: 'ack' | 'requeue' | 'drop'): Promise<void> {
  return run.settlement.settle(how);
}

/**
 * Store a final state (when results are kept; `store` false skips it) and report a chord part. Both are issued in
 * the same turn, the state first: a backend that batches its writes (Redis) sends them in one call, in that order.
 */
async function finalState(run: OutcomeRun, init: StoreInit, store: boolean): Promise<void> {
  const { rt } = run;
  const msg = run.request.message;
  if (msg.embed.chord === null || run.malformed) {
    if (store) await storeState(rt, msg, init);
    return;
  }
  // One document for both; neither rejects (failures are logged where they happen).
  const meta = taskMeta(rt, msg, init);
  await Promise.all([store ? storeMeta(rt, msg, meta) : null, chordPartDone(rt, messageMember(msg), meta)]);
}

async function onSuccess(run: OutcomeRun, value: unknown, runtimeMs: number): Promise<void> {
  const { rt, request, running } = run;
  const msg = request.message;
  const sent = hasSuccessFollowUps(msg) ? await applySuccessFollowUps(rt, msg, value) : [];
  const children = running && running.children.length > 0 ? [...running.children, ...sent] : sent;
  // `rt.backend` first: with no backend there is nothing to store, nor to wait for.
  const store = rt.backend !== null && !ignoresResult(msg, request.task.options.ignoreResult);
  if (store || msg.embed.chord !== null) await finalState(run, { status: 'SUCCESS', result: value, children, queue: request.delivery.info.queue }, store);
  if (logs(run, 'info')) logSucceeded(run.logSource.log, msg, value, runtimeMs);
  if (!run.settlement.done) await settle(run, 'ack');
  const events = rt.taskEventSink;
  if (events) events.send('task-succeeded', succeededFields(msg.id, value, runtimeMs));
  if (rt.hasHook('taskSuccess')) await rt.hook('taskSuccess', { ...hookInfo(msg), result: value, runtimeMs });
  if (rt.hasHook('taskPostrun')) await postrun(run, 'SUCCESS', value);
}

/** A failure outcome: a control error (retry, replace, reject, ignore), an `autoretryFor` match, or a failure. */
async function onError(run: OutcomeRun, error: unknown): Promise<void> {
  const { request } = run;
  const msg = request.message;
  if (isRetry(error)) return onRetry(run, error);
  if (isReplace(error)) {
    try {
      await replaceTask(run.rt, msg, error.sig);
    } catch (err) {
      return onFailure(run, err);
    }
    if (logs(run, 'info')) run.logSource.log.info(`Task ${msg.name}[${msg.id}] replaced by ${error.sig.task}`);
    await settle(run, 'ack');
    return postrun(run, 'IGNORED', null);
  }
  if (isReject(error)) {
    if (logs(run, 'info')) run.logSource.log.info(`Task ${msg.name}[${msg.id}] rejected (requeue: ${error.requeue}): ${String(error.reason ?? '')}`);
    await settle(run, error.requeue ? 'requeue' : 'drop');
    run.rt.taskEventSink?.send('task-rejected', { uuid: msg.id, requeue: error.requeue });
    return postrun(run, 'REJECTED', error.reason ?? null);
  }
  if (isIgnore(error)) {
    await settle(run, 'ack');
    return postrun(run, 'IGNORED', null);
  }
  const opts = request.task.options;
  if ((opts.autoretryFor ?? []).some((cls) => error instanceof cls)) {
    const max = opts.maxRetries ?? null;
    if (max === null || msg.retries < max) {
      const countdown = backoffCountdown(
        { retryBackoff: opts.retryBackoff ?? false, retryBackoffMax: opts.retryBackoffMax ?? 600, retryJitter: opts.retryJitter ?? true },
        msg.retries,
      );
      return onRetry(run, new Retry({ countdownSeconds: countdown ?? opts.defaultRetryDelay, exc: error }));
    }
  }
  return onFailure(run, error);
}

async function onRetry(run: OutcomeRun, retry: Retry): Promise<void> {
  const { rt, request } = run;
  const msg = request.message;
  let countdownMs: number;
  try {
    countdownMs = await publishRetry(rt, request, retry);
  } catch (err) {
    run.logSource.log.error({ err }, `could not publish the retry of ${msg.name}[${msg.id}]`);
    return onFailure(run, retry.exc ?? err);
  }
  const exc: EncodedException =
    retry.exc !== undefined ? encodeException(retry.exc) : encodedRetry(retry.toString());
  const traceback = retry.exc instanceof Error ? formatTraceback(retry.exc) : null;
  rt.taskEventSink?.send('task-retried', errorFields(msg.id, exc, traceback));
  if (storesErrors(rt, msg, request.task.options.ignoreResult)) {
    await storeState(rt, msg, { status: 'RETRY', result: exc, traceback, children: [[[msg.id, null], null]], queue: request.delivery.info.queue });
  }
  if (logs(run, 'info')) run.logSource.log.info(`Task ${msg.name}[${msg.id}] retry: ${retry.toString()}`);
  await settle(run, 'ack');
  if (rt.hasHook('taskRetry')) await rt.hook('taskRetry', { ...hookInfo(msg), reason: retry.exc ?? retry, countdownMs });
  await postrun(run, 'RETRY', exc);
}

async function onFailure(run: OutcomeRun, error: unknown): Promise<void> {
  const { rt, request } = run;
  const msg = request.message;
  const exc = encodeException(error);
  const traceback = formatTraceback(error);
  const storeErrors = storesErrors(rt, msg, request.task.options.ignoreResult);
  await finalState(run, { status: 'FAILURE', result: exc, traceback, queue: request.delivery.info.queue }, storeErrors);
  if (!run.malformed) {
    if (msg.embed.chain !== null) await failChainRest(rt, msg, 'FAILURE', exc, traceback, storeErrors);
    await applyErrbacks(rt, msg);
  }
  run.logSource.log.error({ err: error }, `Task ${msg.name}[${msg.id}] raised unexpected: ${exc.exc_type}(${exc.exc_message.map(describeValue).join(', ')})`);
  await settle(run, 'ack');
  rt.taskEventSink?.send('task-failed', errorFields(msg.id, exc, traceback));
  if (rt.hasHook('taskFailure')) await rt.hook('taskFailure', { ...hookInfo(msg), error, traceback });
  await postrun(run, 'FAILURE', exc);
}

/**
 * The pool gave up on the job: a revoke with terminate (REVOKED terminated), a cold shutdown (requeue
 * what is not acked yet), or a lost execution slot (a pool whose process died: `rejectOnWorkerLost`
 * decides between requeue and FAILURE `WorkerLostError` for `acksLate` tasks).
 */
async function onTerminated(run: OutcomeRun, reason: unknown): Promise<void> {
  const { rt, request } = run;
  const msg = request.message;
  const storeErrors = storesErrors(rt, msg, request.task.options.ignoreResult);
  if (reason instanceof TaskRevokedError) {
    const revoked = encodedTaskRevoked('terminated');
    await finalState(run, { status: 'REVOKED', result: revoked, queue: request.delivery.info.queue }, storeErrors);
    if (msg.embed.chain !== null) await failChainRest(rt, msg, 'REVOKED', revoked, null, storeErrors);
    await settle(run, 'ack');
    rt.taskEventSink?.send('task-revoked', revokedFields(msg.id, { terminated: true, signum: signalNumber(reason), expired: false }));
    if (rt.hasHook('taskRevoked')) await rt.hook('taskRevoked', { ...hookInfo(msg), expired: false, terminated: true });
    return postrun(run, 'REVOKED', null);
  }
  if (!run.settlement.settled && isPoolStopped(reason)) {
    // Queued in a child that never started it (a stop took it back): not acked, so it goes back to the broker.
    if (logs(run, 'debug')) run.logSource.log.debug(`${msg.name}[${msg.id}] not started (pool stopped): requeued`);
    await settle(run, 'requeue');
    return;
  }
  if (!run.settlement.settled && (rt.shuttingDown || request.task.options.rejectOnWorkerLost)) {
    run.logSource.log.warn(`${msg.name}[${msg.id}] was interrupted; its message is requeued`);
    await settle(run, 'requeue');
    return;
  }
  const why = reason instanceof Error ? reason.message : String(reason);
  const err = encodedWorkerLost(rt.shuttingDown ? 'Worker exited prematurely: cold shutdown.' : `Worker exited prematurely: ${why}`);
  await finalState(run, { status: 'FAILURE', result: err, traceback: null, queue: request.delivery.info.queue }, storeErrors);
  if (msg.embed.chain !== null) await failChainRest(rt, msg, 'FAILURE', err, null, storeErrors);
  run.logSource.log.error(`${msg.name}[${msg.id}] was interrupted: ${err.exc_message[0] as string}`);
  await settle(run, 'ack');
  rt.taskEventSink?.send('task-failed', errorFields(msg.id, err, null));
  if (rt.hasHook('taskFailure')) await rt.hook('taskFailure', { ...hookInfo(msg), error: reason, traceback: null });
  await postrun(run, 'FAILURE', err);
}

/** The reason a pool gives a job it ends because it stops (`Q_ERR_WORKER_STATE`). */
function isPoolStopped(reason: unknown): boolean {
  return reason instanceof QError && reason.code === 'Q_ERR_WORKER_STATE';
}

async function postrun(run: OutcomeRun, state: TaskState, result: unknown): Promise<void> {
  if (run.rt.hasHook('taskPostrun')) await run.rt.hook('taskPostrun', { ...hookInfo(run.request.message), state, result });
}
