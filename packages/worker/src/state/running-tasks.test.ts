import { describe, expect, it } from 'vitest';
import { TaskRevokedError } from '@q/core';
import { RunningTasks } from './running-tasks.js';
import { signalName, terminateReason, terminateSignal } from './terminate-reason.js';

describe('RunningTasks', () => {
  it('terminates only the jobs a pool listens to (running), not those waiting for a slot', () => {
    const running = new RunningTasks();
    const started = running.add('a');
    const waiting = running.add('b');
    const seen: unknown[] = [];
    started.asSignal().addEventListener('abort', () => seen.push(started.reason), { once: true });
    const terminated = running.terminate(['a', 'b', 'unknown'], () => terminateReason('SIGKILL'));
    expect(terminated).toEqual(['a']);
    expect(started.aborted).toBe(true);
    expect(waiting.aborted).toBe(false);
    expect(seen).toHaveLength(1);
    expect(terminateSignal(seen[0])).toBe('SIGKILL');
    expect(seen[0]).toBeInstanceOf(TaskRevokedError);
  });

  it('keeps two jobs of one id apart and forgets each when done', () => {
    const running = new RunningTasks();
    const one = running.add('x');
    const two = running.add('x');
    two.addEventListener('abort', () => undefined);
    running.delete('x', one);
    expect(running.ids).toEqual(['x']);
    expect(running.terminate(['x'], () => 'stop')).toEqual(['x']);
    expect(two.reason).toBe('stop');
    running.delete('x', two);
    expect(running.ids).toEqual([]);
  });

  it('a handle behaves as an AbortSignal for what pools use', () => {
    const running = new RunningTasks();
    const handle = running.add('y');
    const signal = handle.asSignal();
    const calls: string[] = [];
    const listener = (): void => void calls.push('removed');
    signal.addEventListener('abort', listener);
    signal.removeEventListener('abort', listener);
    signal.addEventListener('abort', { handleEvent: () => calls.push('object') });
    signal.onabort = () => calls.push('onabort');
    handle.abort('why');
    handle.abort('again');
    expect(calls).toEqual(['onabort', 'object']);
    expect(signal.aborted).toBe(true);
    expect(() => signal.throwIfAborted()).toThrow();
  });
});

describe('signalName', () => {
  it("takes Celery's forms and defaults to SIGTERM", () => {
    expect(signalName(undefined)).toBe('SIGTERM');
    expect(signalName('kill')).toBe('SIGKILL');
    expect(signalName('SIGUSR1')).toBe('SIGUSR1');
    expect(signalName(9)).toBe('SIGKILL');
    expect(signalName('15')).toBe('SIGTERM');
    expect(() => signalName('NOPE')).toThrow(/invalid signal/);
    expect(terminateSignal(new Error('x'))).toBeNull();
  });
});
