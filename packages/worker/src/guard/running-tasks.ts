/**
 * The tasks running in this process, keyed by what core's `currentTask()` returns inside them (an
 * `AsyncLocalStorage` that follows a task's awaits, timers and callbacks). Two uses: the process guard records a
 * stray error against the task it came from ({@link failRunningTask}), which then fails with it
 * ({@link settleTracked}); and `SIGUSR1` lists what every task is doing ({@link runningTasks}).
 *
 * No promise is created per task (a promise costs several microseconds on the per-task path while an
 * `AsyncLocalStorage` is active): a task is registered when its body starts and removed by the trace when the pool
 * reports its outcome. One registry per process, even with two copies of `@q/worker` loaded (it lives on `globalThis`).
 */
import type { PoolOutcome } from '@q/core/adapter';
import type { RunningTask, TaskMessage } from '@q/core/internal';

/** A running task, as `runningTasks()` lists it. */
export interface TrackedTask {
  readonly id: string;
  readonly name: string;
  /** The message's `argsrepr` / `kwargsrepr`. */
  readonly argsrepr: string;
  readonly kwargsrepr: string;
  /** Node name of the worker running it. */
  readonly hostname: string;
  /** When it started (epoch ms). */
  readonly startedAt: number;
}

interface Entry {
  readonly msg: TaskMessage;
  readonly hostname: string;
  readonly startedAt: number;
  /** The first stray error attributed to it. */
  stray: { error: unknown } | null;
}

const KEY = Symbol.for('q.worker.runningTasks');
const entries: Map<RunningTask, Entry> = ((globalThis as Record<symbol, unknown>)[KEY] ??= new Map<RunningTask, Entry>()) as Map<
  RunningTask,
  Entry
>;

/** Runs a task body (`run`, which calls core's `runAsTask(running, …)`) as a tracked task, listed until {@link settleTracked}. */
export function trackTaskRun<T>(running: RunningTask, msg: TaskMessage, hostname: string, run: () => T): T {
  entries.set(running, { msg, hostname, startedAt: Date.now(), stray: null });
  return run();
}

/**
 * The task's outcome, once the pool reported it: removes the task from the registry, and turns the outcome into a
 * failure with the stray error attributed to the task while it ran, if there was one (whatever the body returned).
 * `running` is `null` for a job whose body never started. (The outcome comes first: in
 * `settleTracked(await pool.run(…), this.#running)` the running task is read after the await, once the body started.)
 */
export function settleTracked(outcome: PoolOutcome, running: RunningTask | null): PoolOutcome {
  if (running === null) return outcome;
  const entry = entries.get(running);
  if (entry === undefined) return outcome;
  entries.delete(running);
  if (entry.stray === null || (outcome.kind !== 'success' && outcome.kind !== 'failure')) return outcome;
  return { kind: 'failure', error: entry.stray.error, runtimeMs: outcome.runtimeMs };
}

/**
 * Records `err` against the running task `running` (the first error wins): the task fails with it when its body
 * settles. Returns the task, or `null` when it is not running any more (it finished before its stray error
 * surfaced) or was not tracked.
 */
export function failRunningTask(running: RunningTask, err: unknown): TrackedTask | null {
  const entry = entries.get(running);
  if (entry === undefined) return null;
  entry.stray ??= { error: err };
  return describe(entry);
}

function describe(entry: Entry): TrackedTask {
  const { msg } = entry;
  return { id: msg.id, name: msg.name, argsrepr: msg.argsrepr, kwargsrepr: msg.kwargsrepr, hostname: entry.hostname, startedAt: entry.startedAt };
}

/** The tasks running now, oldest first; only those of the worker `hostname` when given. */
export function runningTasks(hostname?: string): TrackedTask[] {
  const all = [...entries.values()].map(describe);
  return hostname === undefined ? all : all.filter((t) => t.hostname === hostname);
}
