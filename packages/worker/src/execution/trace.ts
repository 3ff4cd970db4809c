/**
 * One run of one task request ({@link Trace}): the run's coordinator (Celery's `celery.app.trace`). It acks early or
 * late (settlement.ts), skips an expired, revoked or lost delivery, stores STARTED and runs `taskPrerun`, hands the
 * task to the pool (here, or as a job descriptor: job-descriptor.ts), and handles the usual no-op success itself;
 * every other outcome goes to outcome.ts. `executeRequest` (in `execute-request.ts`) is the consumer's entry point.
 */
import { checkEmbed, embedHasSignatures, runAsTask } from '@q/core/internal';
import type { Logger } from '@q/core';
import type { RunningTask, TaskMessage } from '@q/core/internal';
import type { JobCallbacks, JobDescriptor, PoolRunOptions } from '@q/core/adapter';
import type { WorkerRuntime } from '../worker-runtime.js';
import type { LazySignalJob } from '../pools/run-with-limits.js';
import { hasSuccessFollowUps } from './follow-ups.js';
import { logEnabled } from './log-level.js';
import { revokeExpired } from './revoke-expired.js';
import { runRevocable } from '../state/run-revocable.js';
import { ignoresResult, storeState } from './store-state.js';
import { settleTracked, trackTaskRun } from '../guard/running-tasks.js';
import { buildTaskContext } from './task-context.js';
import { describeJob, jobCallbacks } from './job-descriptor.js';
import { handleOutcome, logSucceeded, type OutcomeRun } from './outcome.js';
import { DeliverySettlement, type Settlement, type SettlementHost } from './settlement.js';
import { effectiveTimeLimits, hookInfo, isExpired } from './task-request.js';
import type { TaskRequest } from './task-request.js';
import { describeRequest, type DescribedJob, type TaskRequestInfo } from '../state/request-info.js';
import { succeededFields } from './task-events.js';

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
export class Trace implements LazySignalJob, SettlementHost, DescribedJob {
  /** The delivery's ack/nack, once (settlement.ts). */
  readonly #settlement: DeliverySettlement;
  #started = false;
  /** When the body started (epoch ms; `null`: not yet), and the child process running it (for `inspect active`). */
  #timeStart: number | null = null;
  #childPid: number | undefined;
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

  /** Whether the body started (in the pool's slot, or in a child that took it). */
  get started(): boolean {
    return this.#timeStart !== null;
  }

  /** The request as `inspect active`/`reserved` list it. */
  describe(hostname: string): TaskRequestInfo {
    // A body that started runs in the child that reported its pid, else in this process.
    const workerPid = this.#timeStart === null ? null : (this.#childPid ?? process.pid);
    return describeRequest(this.#request, hostname, { timeStart: this.#timeStart, acknowledged: this.#settlement.settled, workerPid });
  }

  /** Settle the delivery once; later calls wait for the first one. Never rejects (errors are logged). */
  settle(how: Settlement): Promise<void> {
    return this.#settlement.settle(how);
  }

  /** The broker refused a settlement: logged. */
  settleFailed(how: Settlement, err: unknown): void {
    this.log.error({ err }, `could not ${how} ${this.#msg.name}[${this.#msg.id}]`);
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
    // Early ack: sent now, not awaited (the final settle waits for it); a failed ack is logged. A body that runs
    // elsewhere is acked when its child takes it (`accepted`), not while it waits in that child's queue.
    if (this.#dispatch === null) {
      this.#timeStart = Date.now();
      if (!options.acksLate) void this.settle('ack');
      rt.taskEventSink?.send('task-started', { uuid: msg.id });
    }
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
    // Its delivery priority is what `task.inheritParentPriority` passes on to what it sends.
    const running: RunningTask = { id: msg.id, rootId: msg.rootId ?? msg.id, children: [], priority: request.delivery.info.priority ?? msg.priority };
    this.#running = running;
    // Tracked as well, so SIGUSR1 lists it; a stray error in the child or thread is that runner's to handle.
    const dispatch = this.#dispatch;
    // Dispatched as the running task: the pool adds what the body sends elsewhere to its `children`.
    if (dispatch !== null) return trackTaskRun(running, msg, rt.hostname, () => runAsTask(running, () => dispatch(describeJob(rt, request, this.#limits), jobCallbacks(rt, request, this.#accepted))));
    return trackTaskRun(running, msg, rt.hostname, () => runAsTask(running, () => request.task.run(buildTaskContext(rt, request, signal, () => this.log, this.#limits), msg.args, msg.kwargs)));
  }

  /** A body running elsewhere started: ack it now unless the task acks late. */
  readonly #accepted = (pid?: number): void => {
    this.#timeStart = Date.now();
    this.#childPid = pid;
    if (!this.#request.task.options.acksLate) void this.settle('ack');
    this.#rt.taskEventSink?.send('task-started', { uuid: this.taskId });
  };

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
      const events = rt.taskEventSink;
      if (events) events.send('task-succeeded', succeededFields(this.taskId, outcome.value, outcome.runtimeMs));
      if (this.#logs('info')) logSucceeded(this.log, this.#msg, outcome.value, outcome.runtimeMs);
      if (!this.#settleDone) await this.settle('ack');
      return;
    }
    try {
      const run: OutcomeRun = {
        rt,
        request,
        logSource: this,
        settlement: this.#settlement,
        malformed: this.#malformed,
        running: this.#running,
        hard,
      };
      await handleOutcome(run, outcome);
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
}
