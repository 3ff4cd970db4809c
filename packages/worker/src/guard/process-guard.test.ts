import { EventEmitter } from 'node:events';
import { runAsTask } from '@q/core/internal';
import type { RunningTask, TaskMessage } from '@q/core/internal';
import { recordingLogger } from '@q/test-services';
import { describe, expect, it } from 'vitest';
import { handleStrayError, installProcessGuard } from './process-guard.js';
import type { GuardSource } from './process-guard.js';
import { runningTasks, settleTracked, trackTaskRun } from './running-tasks.js';

const message = (id: string): TaskMessage => ({ id, name: 'tasks.t', argsrepr: '(1,)', kwargsrepr: '{}' }) as TaskMessage;
const running = (id: string): RunningTask => ({ id, rootId: id, children: [] });

/** Starts a tracked task (its body returns at once); `outcome` is what the trace makes of a pool outcome. */
function start(id: string, hostname = 'w@h') {
  const task = running(id);
  trackTaskRun(task, message(id), hostname, () => runAsTask(task, () => 'body'));
  return { task, outcome: (value: unknown) => settleTracked({ kind: 'success', value, runtimeMs: 1 }, task) };
}

describe('process guard', () => {
  it('fails the running task a stray error comes from, and only that one', () => {
    const logger = recordingLogger();
    const source = new EventEmitter();
    const remove = installProcessGuard({ hostname: 'w@h', logger }, source as unknown as GuardSource);
    const a = start('a');
    const b = start('b');
    expect(runningTasks('w@h').map((t) => t.id)).toEqual(['a', 'b']);
    expect(runningTasks('other@h')).toEqual([]);
    runAsTask(a.task, () => source.emit('uncaughtException', new Error('stray')));
    runAsTask(a.task, () => source.emit('unhandledRejection', new Error('second')));
    expect(a.outcome('ignored')).toEqual({ kind: 'failure', error: new Error('stray'), runtimeMs: 1 });
    expect(runningTasks().map((t) => t.id)).toEqual(['b']);
    expect(b.outcome('fine')).toEqual({ kind: 'success', value: 'fine', runtimeMs: 1 });
    expect(runningTasks()).toEqual([]);
    expect(logger.lines.map((l) => l.msg)).toEqual([
      'uncaught exception in task tasks.t[a]: the task fails with it; the worker goes on',
      'unhandled promise rejection in task tasks.t[a]: the task fails with it; the worker goes on',
    ]);
    remove();
    expect(source.listenerCount('uncaughtException') + source.listenerCount('unhandledRejection')).toBe(0);
  });

  it('only logs an error of a task that finished, or of no task', () => {
    const logger = recordingLogger();
    const source = new EventEmitter();
    const remove = installProcessGuard({ hostname: 'w@h', logger }, source as unknown as GuardSource);
    const a = start('done-1');
    a.outcome('ok');
    runAsTask(a.task, () => handleStrayError(new Error('late'), 'unhandledRejection'));
    handleStrayError(new Error('nobody'), 'uncaughtException');
    expect(logger.lines.map((l) => l.msg)).toEqual([
      'unhandled promise rejection from task [done-1], which had already finished; the worker goes on',
      'uncaught exception outside any task; the worker goes on',
    ]);
    remove();
  });

  it('shares one pair of listeners between workers, removed with the last', () => {
    const source = new EventEmitter();
    const one = installProcessGuard({ hostname: 'a@h', logger: recordingLogger() }, source as unknown as GuardSource);
    const two = installProcessGuard({ hostname: 'b@h', logger: recordingLogger() }, source as unknown as GuardSource);
    expect(source.listenerCount('uncaughtException')).toBe(1);
    one();
    one();
    expect(source.listenerCount('uncaughtException')).toBe(1);
    two();
    expect(source.listenerCount('uncaughtException')).toBe(0);
  });
});
