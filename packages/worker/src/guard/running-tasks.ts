/**
 * The tasks running in this process, keyed by what core's `currentTask()` returns inside them (an
 * `AsyncLocalStorage` that follows a task's awaits, timers and callbacks). Two uses: the process guard fails the
 * task a stray error came from ({@link failRunningTask}), and `SIGUSR1` lists what every task is doing
 * ({@link runningTasks}).
 *
 * One registry per process, even with two copies of `@q/worker` loaded (it lives on `globalThis`).
 */
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

interface Entry extends TrackedTask {
  /** Rejects the task's job with `err` (once). */
  readonly fail: (err: unknown) => void;
}

const KEY = Symbol.for('q.worker.runningTasks');
const entries: Map<RunningTask, Entry> = ((globalThis as Record<symbol, unknown>)[KEY] ??= new Map<RunningTask, Entry>()) as Map<
  RunningTask,
  Entry
>;

/**
 * Runs a task body (`run`, which calls core's `runAsTask(running, …)`) as a tracked task: listed while it runs,
 * and failed by {@link failRunningTask} — the returned promise then rejects with the stray error, even though the
 * body may still be waiting on something.
 */
export function trackTaskRun<T>(running: RunningTask, msg: TaskMessage, hostname: string, run: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const entry: Entry = {
      id: msg.id,
      name: msg.name,
      argsrepr: msg.argsrepr,
      kwargsrepr: msg.kwargsrepr,
      hostname,
      startedAt: Date.now(),
      fail: (err) => {
        entries.delete(running);
        reject(err);
      },
    };
    entries.set(running, entry);
    const done = (): void => {
      if (entries.get(running) === entry) entries.delete(running);
    };
    let result: Promise<T>;
    try {
      result = run();
    } catch (err) {
      done();
      reject(err);
      return;
    }
    result.then(
      (value) => {
        done();
        resolve(value);
      },
      (err: unknown) => {
        done();
        reject(err);
      },
    );
  });
}

/**
 * Fails the running task `running` with `err`; returns what was failed, or `null` when that task is not running
 * any more (it finished before its stray error surfaced) or was not tracked.
 */
export function failRunningTask(running: RunningTask, err: unknown): TrackedTask | null {
  const entry = entries.get(running);
  if (entry === undefined) return null;
  entry.fail(err);
  return entry;
}

/** The tasks running now, oldest first; only those of the worker `hostname` when given. */
export function runningTasks(hostname?: string): TrackedTask[] {
  const all = [...entries.values()].map(({ fail: _fail, ...task }) => task);
  return hostname === undefined ? all : all.filter((t) => t.hostname === hostname);
}
