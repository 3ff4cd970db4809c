/**
 * What SIGUSR1 logs in `q worker` (Celery's `cry` handler): every running task — name, id, arguments, how long it
 * has run — then the stack of the main thread from Node's diagnostic report.
 */
import type { Logger } from '@q/core';
import { runningTasks } from '@q/worker';
import type { TrackedTask } from '@q/worker';

/** One line per running task: `tasks.add[id] args=(2, 3) kwargs={} running for 1.250s`. */
export function describeRunning(tasks: readonly TrackedTask[], now: number = Date.now()): string[] {
  return tasks.map((t) => `${t.name}[${t.id}] args=${t.argsrepr} kwargs=${t.kwargsrepr} running for ${((now - t.startedAt) / 1000).toFixed(3)}s`);
}

/** The JavaScript and native stacks of this thread, from `process.report` (empty when it is unavailable). */
export function mainThreadStacks(): string[] {
  const report = process.report?.getReport() as
    | { javascriptStack?: { stack?: string[] }; nativeStack?: { pc?: string; symbol?: string }[] }
    | undefined;
  if (report === undefined) return [];
  const js = report.javascriptStack?.stack ?? [];
  const native = (report.nativeStack ?? []).map((f) => `${f.pc ?? '?'} ${f.symbol ?? ''}`.trimEnd());
  return ['JavaScript stack:', ...js.map((l) => `  ${l.trim()}`), 'native stack:', ...native.map((l) => `  ${l}`)];
}

/** Logs the running tasks of the worker `hostname` and the main thread's stacks, at `warn`. */
export function dumpRunningTasks(hostname: string, logger: Logger): void {
  const lines = describeRunning(runningTasks(hostname));
  logger.warn(`SIGUSR1: ${lines.length} task${lines.length === 1 ? '' : 's'} running${lines.map((l) => `\n  ${l}`).join('')}`);
  const stacks = mainThreadStacks();
  if (stacks.length > 0) logger.warn(`SIGUSR1: stacks of the main thread\n${stacks.join('\n')}`);
}
