import { describe, expect, it } from 'vitest';
import { TIMELINE_MAX, TaskInfo } from './task-info.js';

function apply(task: TaskInfo, subject: string, timestamp: number, fields: Record<string, unknown> = {}, hostname = 'w1@h'): number {
  return task.applyEvent({ subject, fields, hostname, timestamp, clock: timestamp });
}

describe('TaskInfo', () => {
  it('starts PENDING with nothing known', () => {
    const task = new TaskInfo('t1');
    expect(task.state).toBe('PENDING');
    expect(task.ready).toBe(false);
    expect(task.children).toEqual([]);
  });

  it('moves through received → started → succeeded, keeping each state timestamp', () => {
    const task = new TaskInfo('t1');
    apply(task, 'received', 1, { name: 'add', args: '(2, 3)', kwargs: '{}', retries: 0, eta: null });
    apply(task, 'started', 2);
    apply(task, 'succeeded', 3, { result: '5', runtime: 0.5 });
    expect(task).toMatchObject({ state: 'SUCCESS', name: 'add', args: '(2, 3)', result: '5', runtime: 0.5 });
    expect(task).toMatchObject({ received: 1, started: 2, succeeded: 3, timestamp: 3, clock: 3, worker: 'w1@h' });
    expect(task.ready).toBe(true);
  });

  it('a late task-received keeps the state but brings name, args and lineage only', () => {
    const task = new TaskInfo('t1');
    apply(task, 'succeeded', 3, { result: '5' });
    apply(task, 'received', 1, { name: 'add', args: '(2, 3)', kwargs: '{}', root_id: 'r', parent_id: 'p', result: 'bogus' });
    expect(task).toMatchObject({ state: 'SUCCESS', name: 'add', args: '(2, 3)', rootId: 'r', parentId: 'p', result: '5' });
    expect(task.timestamp).toBe(3);
    expect(task.received).toBe(1);
  });

  it('a late task-started keeps the state but its fields are set', () => {
    const task = new TaskInfo('t1');
    apply(task, 'failed', 3, { exception: "ValueError('x')" });
    apply(task, 'started', 2, {}, 'w2@h');
    expect(task.state).toBe('FAILURE');
    expect(task.started).toBe(2);
    expect(task.worker).toBe('w2@h');
  });

  it('RETRY takes over whatever came before, and whatever comes after takes over RETRY', () => {
    const task = new TaskInfo('t1');
    apply(task, 'received', 1);
    apply(task, 'started', 2);
    apply(task, 'retried', 3, { exception: "KeyError('boom')" });
    expect(task.state).toBe('RETRY');
    apply(task, 'received', 4);
    expect(task.state).toBe('RECEIVED');
    expect(task.exception).toBe("KeyError('boom')");
  });

  it('task-sent sets the client, not the worker', () => {
    const task = new TaskInfo('t1');
    apply(task, 'sent', 1, { queue: 'celery', exchange: '', routing_key: 'celery' }, 'gen1@h');
    expect(task).toMatchObject({ state: 'PENDING', client: 'gen1@h', queue: 'celery', exchange: '', routingKey: 'celery' });
    expect(task.worker).toBeUndefined();
  });

  it('a custom event type sets a custom state', () => {
    const task = new TaskInfo('t1');
    apply(task, 'started', 1);
    apply(task, 'progress', 2);
    expect(task.state).toBe('PROGRESS');
    apply(task, 'succeeded', 3);
    expect(task.state).toBe('SUCCESS');
  });

  it('drops mistyped fields and counts them', () => {
    const task = new TaskInfo('t1');
    expect(apply(task, 'received', 1, { name: 7, args: '()', retries: 'x', eta: null })).toBe(2);
    expect(task.name).toBeUndefined();
    expect(task.args).toBe('()');
    expect(task.retries).toBeUndefined();
  });

  it('keeps a timeline ordered by timestamp, capped', () => {
    const task = new TaskInfo('t1');
    apply(task, 'succeeded', 3);
    apply(task, 'received', 1);
    apply(task, 'started', 2);
    expect(task.timeline.map((e) => e.type)).toEqual(['task-received', 'task-started', 'task-succeeded']);
    for (let i = 0; i < TIMELINE_MAX + 5; i += 1) apply(task, 'retried', 10 + i);
    expect(task.timeline).toHaveLength(TIMELINE_MAX);
    expect(task.timeline.at(-1)?.timestamp).toBe(10 + TIMELINE_MAX + 4);
  });

  it('records each child once, at most max of them', () => {
    const task = new TaskInfo('p');
    task.addChild('a', 2);
    task.addChild('a', 2);
    task.addChild('b', 2);
    task.addChild('c', 2);
    expect(task.children).toEqual(['b', 'c']);
  });

  it('snapshots to a JSON-safe object without unknown fields', () => {
    const task = new TaskInfo('t1');
    apply(task, 'received', 1, { name: 'add', eta: null });
    const snap = task.toSnapshot();
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
    expect(snap).toEqual({
      uuid: 't1',
      state: 'RECEIVED',
      name: 'add',
      worker: 'w1@h',
      received: 1,
      timestamp: 1,
      clock: 1,
      children: [],
      timeline: [{ type: 'task-received', timestamp: 1, hostname: 'w1@h' }],
    });
  });
});
