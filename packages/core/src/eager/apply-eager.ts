/**
 * Running one task call in the calling process (Celery's `Task.apply` with `build_tracer(eager=True)`):
 *
 * - the function runs with a context whose `isEager` is true, as the running task (what it sends or applies is its
 *   child, with its id as `parent_id`); the hooks that mirror Celery's signals fire as a worker fires them
 *   (`taskPrerun`, then `taskSuccess`/`taskFailure`/`taskRetry`, then `taskPostrun`);
 * - a retry (`ctx.retry()`, or an error of `autoretryFor`) runs the task again at once with `retries + 1` and the same
 *   id: eager mode never waits (`countdown`, `eta` and the backoff are ignored, as in Celery); past `maxRetries`,
 *   `retry()` throws `exc` or a `MaxRetriesExceededError`, which fails the run;
 * - `ctx.replace(sig)` applies `sig` eagerly under this task's id and gives its value as this task's;
 * - on success the `link` callbacks are applied eagerly with the value in front of their arguments (several at once
 *   as Celery groups them), on failure the `linkError` errbacks with the task's id;
 * - states are stored only with `task.storeEagerResult` (Celery 5.1+'s `task_store_eager_result`) and a backend;
 * - with `throw` (default `task.eagerPropagates`) a failure is thrown from here, as Celery raises it before it
 *   handles the failure: no FAILURE is stored, no errback runs, `taskFailure` does not fire (`taskPostrun` does).
 */
import type { TaskHookInfo } from '../contracts/hooks.js';
import { groupSignature } from '../canvas/freeze.js';
import { readSignature } from '../canvas/read-signature.js';
import { toWireList } from '../canvas/to-wire.js';
import { encodeException, encodedRetry, formatTraceback } from '../protocol/exceptions.js';
import { uuid } from '../protocol/ids.js';
import type { WireSignature } from '../protocol/task-message.js';
import type { MessageOptions, TaskCall } from '../publish/build-task-message.js';
import { resultFromTuple } from '../result/async-result.js';
import type { ResultBase } from '../result/result-base.js';
import { Retry, isIgnore, isReject, isReplace, isRetry } from '../task/control.js';
import { currentTask, runAsTask, type RunningTask } from '../task/current-task.js';
import type { AnyTask } from '../task/registry.js';
import { eagerTaskContext, type EagerRequest } from './eager-context.js';
import { runEagerHook, storeEagerState, type EagerHost, type EagerStoreInit } from './eager-host.js';
import { EagerResult, type EagerOutcome } from './eager-result.js';

/** One eager call: a task call (its options as `applyAsync`'s) and how to run it. */
export interface EagerCall extends TaskCall {
  /** How many times it ran before (Celery's `retries` of `apply`; default 0). */
  readonly retries?: number;
  /** Throw a failure instead of keeping it in the result (default `task.eagerPropagates`). */
  readonly throw?: boolean;
  /** The result this call's was chained after (a chain step's, a chord body's). */
  readonly parent?: ResultBase | null;
  /**
   * Record the result as a child of the task running now (default true); false for the tasks of a canvas, whose
   * applier records the canvas's result once.
   */
  readonly record?: boolean;
}

/** Handles of what an eager run applied eagerly, by id (the running task's `children` hold only tuples). */
const handles = new WeakMap<RunningTask, Map<string, ResultBase>>();

/** Records `result` as a child of the task running now (a worker's or an eager one's), if any. */
export function recordChild(result: ResultBase): void {
  const running = currentTask();
  if (!running) return;
  running.children.push(result.asTuple());
  handles.get(running)?.set(result.id, result);
}

/**
 * Runs `call` here (see the module comment) and returns its {@link EagerResult}.
 * @throws NotRegisteredError `Q_ERR_TASK_NOT_REGISTERED` for a task this app does not have; with `throw`, the
 *   task's error.
 */
export async function applyEager<T>(host: EagerHost, call: EagerCall): Promise<EagerResult<T>> {
  const task = host.tasks.require(call.name);
  await host.loadPlugins();
  const running = currentTask();
  const id = call.options.taskId ?? uuid();
  const parentId = call.options.parentId ?? running?.id ?? null;
  let request = eagerRequest(call, id, parentId, running?.rootId ?? null);
  const propagate = call.throw ?? host.conf.task.eagerPropagates;
  for (;;) {
    const run = await traceOnce(host, task, request, call, propagate);
    if (run instanceof EagerResult) {
      if (call.record ?? true) recordChild(run);
      return run as EagerResult<T>;
    }
    request = { ...request, retries: request.retries + 1, args: run.args ?? request.args, kwargs: run.kwargs ?? request.kwargs };
  }
}

function eagerRequest(call: EagerCall, id: string, parentId: string | null, runningRoot: string | null): EagerRequest {
  const o: MessageOptions = call.options;
  return {
    id,
    name: call.name,
    args: [...call.args],
    kwargs: { ...call.kwargs },
    retries: call.retries ?? 0,
    parentId,
    rootId: o.rootId ?? runningRoot,
    groupId: o.groupId ?? null,
    groupIndex: o.groupIndex ?? null,
    headers: { ...(o.headers ?? {}) },
    callbacks: toWireList(o.link) ?? [],
    errbacks: toWireList(o.linkError) ?? [],
    chord: o.chord === undefined ? null : readSignature(o.chord, 'chord'),
    delivery: { exchange: o.exchange ?? '', routingKey: o.routingKey ?? '', priority: o.priority ?? 0 },
    timeLimit: [o.timeLimit ?? null, o.softTimeLimit ?? null],
  };
}

/** One run of the task: its result, or the `Retry` to run it again with. */
async function traceOnce(host: EagerHost, task: AnyTask, req: EagerRequest, call: EagerCall, propagate: boolean): Promise<EagerResult | Retry> {
  const info: TaskHookInfo = { taskId: req.id, taskName: req.name, args: req.args, kwargs: req.kwargs, headers: req.headers };
  const running: RunningTask = { id: req.id, rootId: req.rootId ?? req.id, children: [] };
  handles.set(running, new Map());
  const ignoreResult = call.options.ignoreResult ?? task.options.ignoreResult;
  const { storeEagerResult, storeErrorsEvenIfIgnored } = host.conf.task;
  // Celery's eager tracer: results are published only with `store_eager_result`; errors likewise, or when ignored
  // with `store_errors_even_if_ignored`.
  const storeResult = storeEagerResult && !ignoreResult;
  const storeErrors = ignoreResult ? storeErrorsEvenIfIgnored : storeEagerResult;
  const storeInit: EagerStoreInit = { taskId: req.id, name: req.name, args: req.args, kwargs: req.kwargs, retries: req.retries, parentId: req.parentId, groupId: req.groupId };
  const ctx = eagerTaskContext(
    {
      origin: host.origin,
      oid: host.oid,
      log: host.log,
      timezone: host.conf.timezone,
      maxRetries: task.options.maxRetries,
      defaultRetryDelay: task.options.defaultRetryDelay,
      storeState: (status, result) => (storeResult ? storeEagerState(host, storeInit, { status, result }) : Promise.resolve()),
    },
    req,
  );
  const children = (extra: readonly ResultBase[] = []): ResultBase[] => {
    const byId = handles.get(running) ?? new Map<string, ResultBase>();
    const sent = running.children.flatMap((tuple) => {
      const id = (tuple as [[string, unknown], unknown])[0][0];
      const handle = byId.get(id) ?? resultFromTuple(tuple, host);
      return handle ? [handle] : [];
    });
    return [...sent, ...extra];
  };
  const postrun = (state: string, result: unknown): Promise<void> => runEagerHook(host, 'taskPostrun', () => ({ ...info, state, result }));
  const finish = (outcome: EagerOutcome): EagerResult => new EagerResult(req.id, outcome, host, call.parent ?? null);

  await runEagerHook(host, 'taskPrerun', () => info);
  const started = performance.now();
  let value: unknown;
  try {
    value = await runAsTask(running, () => task.run(ctx, req.args, req.kwargs));
  } catch (thrown) {
    if (isRetry(thrown) || isAutoretry(task, req, thrown)) {
      const retry = isRetry(thrown) ? thrown : new Retry({ exc: thrown });
      const exc = retry.exc !== undefined ? encodeException(retry.exc) : encodedRetry(retry.toString());
      const traceback = retry.exc instanceof Error ? formatTraceback(retry.exc) : null;
      if (storeErrors) await storeEagerState(host, storeInit, { status: 'RETRY', result: exc, traceback });
      await runEagerHook(host, 'taskRetry', () => ({ ...info, reason: retry.exc ?? retry, countdownMs: 0 }));
      await postrun('RETRY', exc);
      return retry;
    }
    if (isIgnore(thrown) || isReject(thrown)) {
      const state = isIgnore(thrown) ? 'IGNORED' : 'REJECTED';
      await postrun(state, null);
      return finish({ state, value: null, traceback: null, children: children() });
    }
    if (isReplace(thrown)) {
      try {
        const replacement = await host.applyEagerly(thrown.sig, { options: replaceOptions(req), links: followUpLinks(req) });
        value = await replacement.get();
      } catch (err) {
        return fail(err);
      }
    } else {
      return fail(thrown);
    }
  }
  // Success: callbacks first (their results are this task's children), then the state, then the hooks.
  const callbacks: ResultBase[] = [];
  for (const sig of callbackSends(req.callbacks)) {
    callbacks.push(await host.applyEagerly(sig, { args: [value], links: followUpLinks(req) }));
  }
  const runtimeMs = performance.now() - started;
  const kids = children(callbacks);
  const outcome: EagerOutcome = { state: 'SUCCESS', value, traceback: null, children: kids };
  if (storeResult) await storeEagerState(host, storeInit, { status: 'SUCCESS', result: value ?? null, children: kids.map((c) => c.asTuple()) });
  await runEagerHook(host, 'taskSuccess', () => ({ ...info, result: value, runtimeMs }));
  await postrun('SUCCESS', value);
  return finish(outcome);

  async function fail(error: unknown): Promise<EagerResult> {
    const exc = encodeException(error);
    if (propagate) {
      await postrun('FAILURE', exc);
      throw error;
    }
    const traceback = formatTraceback(error);
    if (storeErrors) await storeEagerState(host, storeInit, { status: 'FAILURE', result: exc, traceback, children: children().map((c) => c.asTuple()) });
    for (const errback of req.errbacks) {
      try {
        await host.applyEagerly(errback, { args: [req.id], links: followUpLinks(req) });
      } catch (err) {
        host.log.error({ err, taskId: req.id, task: errback.task }, `errback ${errback.task} of ${req.name}[${req.id}] failed (eager)`);
      }
    }
    host.log.error({ err: error }, `Task ${req.name}[${req.id}] raised unexpected: ${exc.exc_type} (eager)`);
    await runEagerHook(host, 'taskFailure', () => ({ ...info, error, traceback }));
    await postrun('FAILURE', exc);
    return finish({ state: 'FAILURE', value: error, traceback, children: children() });
  }
}

/** An error of the task's `autoretryFor` while retries remain. */
function isAutoretry(task: AnyTask, req: EagerRequest, thrown: unknown): boolean {
  const { autoretryFor, maxRetries } = task.options;
  if (!autoretryFor.some((cls) => thrown instanceof cls)) return false;
  return maxRetries === null || req.retries < maxRetries;
}

/** The callbacks as Celery's tracer sends several: the groups among them each alone, the rest as one group. */
function callbackSends(callbacks: readonly WireSignature[]): readonly WireSignature[] {
  if (callbacks.length <= 1) return callbacks;
  const groups = callbacks.filter((c) => c.subtask_type === 'group');
  const tasks = callbacks.filter((c) => c.subtask_type !== 'group');
  return tasks.length > 0 ? [...groups, groupSignature(tasks, {})] : groups;
}

/** What a task's follow-ups (callbacks, errbacks, a replacement) are linked to: the task, and its root. */
function followUpLinks(req: EagerRequest): { parentId: string; rootId: string } {
  return { parentId: req.id, rootId: req.rootId ?? req.id };
}

/** A replacement takes the replaced task's id, group and root (Celery's `Task.replace`). */
function replaceOptions(req: EagerRequest): Record<string, unknown> {
  const options: Record<string, unknown> = { task_id: req.id };
  if (req.groupId !== null) options.group_id = req.groupId;
  if (req.groupIndex !== null) options.group_index = req.groupIndex;
  return options;
}
