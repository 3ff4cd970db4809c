/**
 * One run of one task request ({@link Trace}): runs it in the pool and turns its outcome into states, acks,
 * follow-up messages and hooks (Celery's `celery.app.trace` plus `Request.on_success`/`on_failure`).
 * `executeRequest` (in `execute-request.ts`) is the consumer's entry point.
 */
import { Retry, TaskRevokedError } from '@q/core';
import {
  checkEmbed,
  embedHasSignatures,
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
  runAsTask,
} from '@q/core/internal';
import type { Logger, TaskState } from '@q/core';
import type { RunningTask } from '@q/core/internal';
import type { EncodedException, JobCallbacks, JobDescriptor, PoolOutcome, PoolRunOptions } from '@q/core/adapter';
import type { TaskMessage } from '@q/core/internal';
import type { WorkerRuntime } from '../worker-runtime.js';
import type { LazySignalJob } from '../pools/run-with-limits.js';
import { backoffCountdown } from './backoff.js';
import { describeValue } from './describe-value.js';
import { applyErrbacks, applySuccessFollowUps, hasSuccessFollowUps } from './follow-ups.js';
import { logEnabled } from './log-level.js';
import { publishRetry } from './retry.js';
import { revokeExpired } from './revoke-expired.js';
import { runRevocable } from '../state/run-revocable.js';
import { ignoresResult, storeState, storesErrors, taskMeta, type StoreInit } from './store-state.js';
import { chordPartDone, failChainRest, messageMember } from './chord-part.js';
import { replaceTask } from './replace-task.js';
import { settleTracked, trackTaskRun } from '../guard/running-tasks.js';
import { buildTaskContext } from './task-context.js';
import { describeJob, jobCallbacks } from './job-descriptor.js';
import { DeliverySettlement, type Settlement, type SettlementHost } from './settlement.js';
import { effectiveTimeLimits, hookInfo, isExpired } from './task-request.js';
import type { TaskRequest } from './task-request.js';

/** What a job that does not run resolves with. */
const NOT_RUN: Promise<undefined> = Promise.resolve(undefined);
/** The signal factory of a job whose body runs elsewhere (its signal lives where it runs). */
const NO_LOCAL_SIGNAL = (): AbortSignal => new AbortController().signal;

/** Hands a job's descriptor to the pool that runs its body elsewhere. */
type Dispatch = (descriptor: JobDescriptor, callbacks: JobCallbacks) => Promise<unknown>;

/**
 * One run of one request. It is also the pool job (`runLazy`: the pool hands it a signal factory, so no
 * `AbortSignal` is created unless the task reads `ctx.signal` or something aborts it).
 */
export class Trace implements LazySignalJob, SettlementHost {
  /** The delivery's ack/nack, once (settlement.ts). */
  readonly #settlement: DeliverySettlement;
  #started = false;
  /** The task expired while it waited for a pool slot: revoked instead of run. */
  #expired = false;
  /** The broker took the delivery back while it waited for a pool slot (it redelivers it): not run here. */
  #lost = false;
  #childLog: Logger | undefined;
  /** What the task sends while it runs (its `children`), and its parent and root for those messages. */
  #running: RunningTask | null = null;
  /** A signature the message carries is malformed: the task failed without running, nothing follows up. */
  #malformed = false;
  /** Set when the pool runs the body elsewhere (`runRemote`). */
  #dispatch: Dispatch | null = null;
  readonly #limits: [number | null, number | null];
  readonly #rt: WorkerRuntime;
  readonly #request: TaskRequest;
  readonly taskId: string;
  readonly taskName: string;

  constructor(rt: WorkerRuntime, request: TaskRequest) {
    this.#rt = rt;
    this.#request = request;
    this.#settlement = new DeliverySettlement(request.delivery, this);
    this.#limits = effectiveTimeLimits(request, rt.timeLimitsOf?.(request.message.name));
    this.taskId = request.message.id;
    this.taskName = request.message.name;
  }

  /** The task's logger (a child of the worker's, created on first use). */
  get log(): Logger {
    this.#childLog ??= this.#rt.logger.child({ taskId: this.#request.message.id, task: this.#request.message.name });
    return this.#childLog;
  }

  get #msg(): TaskMessage {
    return this.#request.message;
  }

  /** Whether task log lines at `level` are written (checked before formatting them). */
  #logs(level: 'debug' | 'info'): boolean {
    return logEnabled(this.#rt.logger, level);
  }

  /** Settle the delivery once; later calls wait for the first one. Never rejects (errors are logged). */
  settle(how: Settlement): Promise<void> {
    return this.#settlement.settle(how);
  }

  /** The broker refused a settlement: logged. */
  settleFailed(how: Settlement, err: unknown): void {
    this.log.error({ err }, `could not ${how} ${this.#msg.name}[${this.#msg.id}]`);
  }

  get #settled(): boolean {
    return this.#settlement.settled;
  }

  get #settleDone(): boolean {
    return this.#settlement.done;
  }

  /** The pool job, for pools that hand over a signal up front (plugin pools). */
  run(signal: AbortSignal): Promise<unknown> {
    try {
      return this.runLazy(() => signal);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * The pool job for pools that run the body elsewhere: the same steps as {@link runLazy} on this thread, then the
   * body's descriptor goes to `dispatch`.
   */
  runRemote(dispatch: Dispatch): Promise<unknown> {
    this.#dispatch = dispatch;
    try {
      return this.runLazy(NO_LOCAL_SIGNAL);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * The pool job: ack early (without waiting for the broker, as Celery does), then run the task. Not `async`: the
   * usual job has nothing to wait for before the task runs, so the task's own promise is returned as it is.
   */
  runLazy(signal: () => AbortSignal): Promise<unknown> {
    const rt = this.#rt;
    const request = this.#request;
    const msg = this.#msg;
    const options = request.task.options;
    this.#started = true;
    rt.counters.reserved -= 1;
    if (request.delivery.lost === true) {
      this.#lost = true;
      return NOT_RUN;
    }
    if ((msg.expires !== null && isExpired(msg, rt.app.conf.timezone)) || rt.nodeState?.isRevoked(msg.id) === true) {
      this.#expired = true;
      return NOT_RUN;
    }
    // Early ack: sent now, not awaited (the final settle waits for it); a failed ack is logged.
    if (!options.acksLate) void this.settle('ack');
    if (embedHasSignatures(msg.embed)) {
      try {
        checkEmbed(msg.embed);
      } catch (err) {
        // A malformed link, chain or chord fails the task before it runs (stored, logged); nothing else is lost.
        this.#malformed = true;
        return Promise.reject(err);
      }
    }
    // As Celery (`track_started and not ignore_result`): an ignored result sends no STARTED either.
    const started = options.trackStarted && !ignoresResult(msg, options.ignoreResult);
    if (started || rt.hasHook('taskPrerun')) return this.#prerunThenRun(signal, started);
    return this.#runTask(signal);
  }

  /** Store STARTED (when `started`) and run the `taskPrerun` hook, then the task. */
  async #prerunThenRun(signal: () => AbortSignal, started: boolean): Promise<unknown> {
    const rt = this.#rt;
    const request = this.#request;
    const msg = this.#msg;
    if (started) {
      await storeState(rt, msg, { status: 'STARTED', result: { pid: process.pid, hostname: rt.hostname }, queue: request.delivery.info.queue });
    }
    if (rt.hasHook('taskPrerun')) await rt.hook('taskPrerun', hookInfo(msg));
    return this.#runTask(signal);
  }

  #runTask(signal: () => AbortSignal): Promise<unknown> {
    const rt = this.#rt;
    const request = this.#request;
    const msg = request.message;
    // What the task sends while it runs is its child (parent and root ids, its `children`), however deep.
    const running: RunningTask = { id: msg.id, rootId: msg.rootId ?? msg.id, children: [] };
    this.#running = running;
    // Tracked as well, so SIGUSR1 lists it; a stray error in the child or thread is that runner's to handle.
    const dispatch = this.#dispatch;
    if (dispatch !== null) return trackTaskRun(running, msg, rt.hostname, () => dispatch(describeJob(rt, request, this.#limits), jobCallbacks(rt, request)));
    return trackTaskRun(running, msg, rt.hostname, () => runAsTask(running, () => request.task.run(buildTaskContext(rt, request, signal, () => this.log, this.#limits), msg.args, msg.kwargs)));
  }

  /**
   * Store a final state (when results are kept; `store` false skips it) and report a chord part. Both are issued in
   * the same turn, the state first: a backend that batches its writes (Redis) sends them in one call, in that order.
   */
  async #finalState(init: StoreInit, store: boolean): Promise<void> {
    const rt = this.#rt;
    const msg = this.#msg;
    const storing = store ? storeState(rt, msg, init) : null;
    if (msg.embed.chord === null || this.#malformed) {
      await storing;
      return;
    }
    // Neither rejects: failures are logged where they happen.
    await Promise.all([storing, chordPartDone(rt, messageMember(msg), taskMeta(rt, msg, init))]);
  }

  async execute(): Promise<void> {
    const rt = this.#rt;
    const request = this.#request;
    const [hard, soft] = this.#limits;
    const options: PoolRunOptions = {};
    if (hard !== null) options.hardTimeoutMs = hard * 1000;
    if (soft !== null) options.softTimeoutMs = soft * 1000;
    rt.counters.reserved += 1;
    const outcome = settleTracked(await runRevocable(rt, this, options), this.#running);
    if (!this.#started) {
      rt.counters.reserved -= 1;
      await this.settle('requeue');
      if (this.#logs('debug')) this.log.debug(`${this.#msg.name}[${this.#msg.id}] not started (pool stopped): requeued`);
      return;
    }
    if (this.#lost) {
      // Nothing to settle: the broker already took it back and delivers it again (that copy runs).
      this.#settlement.markSettled();
      this.log.debug(`${this.#msg.name}[${this.#msg.id}] not started: its delivery was lost (the broker redelivers it)`);
      return;
    }
    if (this.#expired) {
      this.#settlement.markSettled();
      await revokeExpired(rt, request.delivery, this.#msg);
      return;
    }
    if (outcome.kind === 'success' && this.#plainSuccess()) {
      // The usual no-op-to-handle success (nothing to store, send or call): no further async frames.
      this.#countProcessed();
      if (this.#logs('info')) this.#logSucceeded(outcome.value, outcome.runtimeMs);
      if (!this.#settleDone) await this.settle('ack');
      return;
    }
    try {
      await this.#finish(outcome, hard);
    } catch (err) {
      this.log.error({ err }, `internal error handling the outcome of ${this.#msg.name}[${this.#msg.id}]`);
    } finally {
      this.#countProcessed();
      if (!this.#settleDone) await this.settle('ack');
    }
  }

  #countProcessed(): void {
    const processed = this.#rt.counters.processed;
    processed.set(this.#msg.name, (processed.get(this.#msg.name) ?? 0) + 1);
  }

  /** A success with nothing to do but log and ack: no follow-ups, no result to store, no hooks. */
  #plainSuccess(): boolean {
    const rt = this.#rt;
    const msg = this.#msg;
    return (
      !hasSuccessFollowUps(msg) &&
      msg.embed.chord === null &&
      (this.#running === null || this.#running.children.length === 0) &&
      (rt.backend === null || ignoresResult(msg, this.#request.task.options.ignoreResult)) &&
      !rt.hasHook('taskSuccess') &&
      !rt.hasHook('taskPostrun')
    );
  }

  #logSucceeded(value: unknown, runtimeMs: number): void {
    const msg = this.#msg;
    this.log.info(`Task ${msg.name}[${msg.id}] succeeded in ${(runtimeMs / 1000).toFixed(6)}s: ${describeValue(value)}`);
  }

  #finish(outcome: PoolOutcome, hard: number | null): Promise<void> {
    switch (outcome.kind) {
      case 'success':
        return this.#onSuccess(outcome.value, outcome.runtimeMs);
      case 'failure':
        return this.#onError(outcome.error);
      case 'timeout': {
        const err = hardTimeLimitError(hard);
        // What happened to the body depends on what the pool can do (its capabilities), not on its name.
        const fate = this.#rt.pool.capabilities?.hardTimeout === true ? 'its child was terminated and is replaced' : 'its result will be discarded';
        this.log.error(`hard time limit (${hard ?? '?'}s) exceeded for ${this.#msg.name}[${this.#msg.id}]; ${fate}`);
        return this.#onFailure(err);
      }
      case 'terminated':
        return this.#onTerminated(outcome.reason);
    }
  }

  async #onSuccess(value: unknown, runtimeMs: number): Promise<void> {
    const rt = this.#rt;
    const msg = this.#msg;
    const request = this.#request;
    const sent = hasSuccessFollowUps(msg) ? await applySuccessFollowUps(rt, msg, value) : [];
    const children = this.#running && this.#running.children.length > 0 ? [...this.#running.children, ...sent] : sent;
    // `rt.backend` first: with no backend there is nothing to store, nor to wait for.
    const store = rt.backend !== null && !ignoresResult(msg, request.task.options.ignoreResult);
    if (store || msg.embed.chord !== null) await this.#finalState({ status: 'SUCCESS', result: value, children, queue: request.delivery.info.queue }, store);
    if (this.#logs('info')) this.#logSucceeded(value, runtimeMs);
    if (!this.#settleDone) await this.settle('ack');
    if (rt.hasHook('taskSuccess')) await rt.hook('taskSuccess', { ...hookInfo(msg), result: value, runtimeMs });
    if (rt.hasHook('taskPostrun')) await this.#postrun('SUCCESS', value);
  }

  async #onError(error: unknown): Promise<void> {
    const msg = this.#msg;
    const request = this.#request;
    if (isRetry(error)) return this.#onRetry(error);
    if (isReplace(error)) {
      try {
        await replaceTask(this.#rt, msg, error.sig);
      } catch (err) {
        return this.#onFailure(err);
      }
      if (this.#logs('info')) this.log.info(`Task ${msg.name}[${msg.id}] replaced by ${error.sig.task}`);
      await this.settle('ack');
      return this.#postrun('IGNORED', null);
    }
    if (isReject(error)) {
      if (this.#logs('info')) this.log.info(`Task ${msg.name}[${msg.id}] rejected (requeue: ${error.requeue}): ${String(error.reason ?? '')}`);
      await this.settle(error.requeue ? 'requeue' : 'drop');
      return this.#postrun('REJECTED', error.reason ?? null);
    }
    if (isIgnore(error)) {
      await this.settle('ack');
      return this.#postrun('IGNORED', null);
    }
    const opts = request.task.options;
    if ((opts.autoretryFor ?? []).some((cls) => error instanceof cls)) {
      const max = opts.maxRetries ?? null;
      if (max === null || msg.retries < max) {
        const countdown = backoffCountdown(
          { retryBackoff: opts.retryBackoff ?? false, retryBackoffMax: opts.retryBackoffMax ?? 600, retryJitter: opts.retryJitter ?? true },
          msg.retries,
        );
        return this.#onRetry(new Retry({ countdownSeconds: countdown ?? opts.defaultRetryDelay, exc: error }));
      }
    }
    return this.#onFailure(error);
  }

  async #onRetry(retry: Retry): Promise<void> {
    const rt = this.#rt;
    const msg = this.#msg;
    let countdownMs: number;
    try {
      countdownMs = await publishRetry(rt, this.#request, retry);
    } catch (err) {
      this.log.error({ err }, `could not publish the retry of ${msg.name}[${msg.id}]`);
      return this.#onFailure(retry.exc ?? err);
    }
    const exc: EncodedException =
      retry.exc !== undefined ? encodeException(retry.exc) : encodedRetry(retry.toString());
    const traceback = retry.exc instanceof Error ? formatTraceback(retry.exc) : null;
    if (storesErrors(rt, msg, this.#request.task.options.ignoreResult)) {
      await storeState(rt, msg, { status: 'RETRY', result: exc, traceback, children: [[[msg.id, null], null]], queue: this.#request.delivery.info.queue });
    }
    if (this.#logs('info')) this.log.info(`Task ${msg.name}[${msg.id}] retry: ${retry.toString()}`);
    await this.settle('ack');
    if (rt.hasHook('taskRetry')) await rt.hook('taskRetry', { ...hookInfo(msg), reason: retry.exc ?? retry, countdownMs });
    await this.#postrun('RETRY', exc);
  }

  async #onFailure(error: unknown): Promise<void> {
    const rt = this.#rt;
    const msg = this.#msg;
    const request = this.#request;
    const exc = encodeException(error);
    const traceback = formatTraceback(error);
    const storeErrors = storesErrors(rt, msg, request.task.options.ignoreResult);
    await this.#finalState({ status: 'FAILURE', result: exc, traceback, queue: request.delivery.info.queue }, storeErrors);
    if (!this.#malformed) {
      if (msg.embed.chain !== null) await failChainRest(rt, msg, 'FAILURE', exc, traceback, storeErrors);
      await applyErrbacks(rt, msg);
    }
    this.log.error({ err: error }, `Task ${msg.name}[${msg.id}] raised unexpected: ${exc.exc_type}(${exc.exc_message.map(describeValue).join(', ')})`);
    await this.settle('ack');
    if (rt.hasHook('taskFailure')) await rt.hook('taskFailure', { ...hookInfo(msg), error, traceback });
    await this.#postrun('FAILURE', exc);
  }

  /**
   * The pool gave up on the job: a revoke with terminate (REVOKED terminated), a cold shutdown (requeue
   * what is not acked yet), or a lost execution slot (a pool whose process died: `rejectOnWorkerLost`
   * decides between requeue and FAILURE `WorkerLostError` for `acksLate` tasks).
   */
  async #onTerminated(reason: unknown): Promise<void> {
    const rt = this.#rt;
    const msg = this.#msg;
    const request = this.#request;
    const storeErrors = storesErrors(rt, msg, request.task.options.ignoreResult);
    if (reason instanceof TaskRevokedError) {
      const revoked = encodedTaskRevoked('terminated');
      await this.#finalState({ status: 'REVOKED', result: revoked, queue: request.delivery.info.queue }, storeErrors);
      if (msg.embed.chain !== null) await failChainRest(rt, msg, 'REVOKED', revoked, null, storeErrors);
      await this.settle('ack');
      if (rt.hasHook('taskRevoked')) await rt.hook('taskRevoked', { ...hookInfo(msg), expired: false, terminated: true });
      return this.#postrun('REVOKED', null);
    }
    if (!this.#settled && (rt.shuttingDown || request.task.options.rejectOnWorkerLost)) {
      this.log.warn(`${msg.name}[${msg.id}] was interrupted; its message is requeued`);
      await this.settle('requeue');
      return;
    }
    const why = reason instanceof Error ? reason.message : String(reason);
    const err = encodedWorkerLost(rt.shuttingDown ? 'Worker exited prematurely: cold shutdown.' : `Worker exited prematurely: ${why}`);
    await this.#finalState({ status: 'FAILURE', result: err, traceback: null, queue: request.delivery.info.queue }, storeErrors);
    if (msg.embed.chain !== null) await failChainRest(rt, msg, 'FAILURE', err, null, storeErrors);
    this.log.error(`${msg.name}[${msg.id}] was interrupted: ${err.exc_message[0] as string}`);
    await this.settle('ack');
    if (rt.hasHook('taskFailure')) await rt.hook('taskFailure', { ...hookInfo(msg), error: reason, traceback: null });
    await this.#postrun('FAILURE', err);
  }

  async #postrun(state: TaskState, result: unknown): Promise<void> {
    if (this.#rt.hasHook('taskPostrun')) await this.#rt.hook('taskPostrun', { ...hookInfo(this.#msg), state, result });
  }
}
