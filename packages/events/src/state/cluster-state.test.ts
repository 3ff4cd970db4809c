import { readVector } from '@q/test-services';
import type { Logger } from '@q/core';
import { describe, expect, it, vi } from 'vitest';
import type { QEvent } from '../wire/event.js';
import { ClusterState } from './cluster-state.js';

const T0 = 1_795_315_000;

function taskEvent(type: string, uuid: string, timestamp: number, fields: Record<string, unknown> = {}): QEvent {
  return { type, uuid, hostname: 'w1@h', timestamp, utcoffset: 0, pid: 1, clock: timestamp - T0, local_received: timestamp, ...fields };
}

function workerEvent(type: string, hostname: string, timestamp: number, fields: Record<string, unknown> = {}): QEvent {
  return {
    type,
    hostname,
    timestamp,
    utcoffset: 0,
    pid: 7,
    clock: 1,
    local_received: timestamp,
    freq: 2,
    active: 0,
    processed: 0,
    loadavg: [0.1, 0.2, 0.3],
    sw_ident: 'py-celery',
    sw_ver: '5.2.6',
    sw_sys: 'Linux',
    ...fields,
  };
}

function clockAt(seconds: number): { now: () => number; set: (s: number) => void } {
  let value = seconds * 1000;
  return { now: () => value, set: (s) => (value = s * 1000) };
}

describe('ClusterState tasks', () => {
  it('follows a task through sent → received → started → succeeded', () => {
    const state = new ClusterState({ now: clockAt(T0).now });
    state.event(taskEvent('task-sent', 't1', T0 + 1, { hostname: 'gen1@h', name: 'add', args: '(2, 3)', kwargs: '{}' }));
    expect(state.tasks.get('t1')?.state).toBe('PENDING');
    state.event(taskEvent('task-received', 't1', T0 + 2, { name: 'add', args: '(2, 3)', kwargs: '{}' }));
    expect(state.tasks.get('t1')?.state).toBe('RECEIVED');
    state.event(taskEvent('task-started', 't1', T0 + 3));
    expect(state.tasks.get('t1')?.state).toBe('STARTED');
    state.event(taskEvent('task-succeeded', 't1', T0 + 4, { result: '5', runtime: 0.01 }));
    const task = state.tasks.get('t1');
    expect(task).toMatchObject({ state: 'SUCCESS', name: 'add', result: '5', client: 'gen1@h', worker: 'w1@h' });
    expect(task).toMatchObject({ sent: T0 + 1, received: T0 + 2, started: T0 + 3, succeeded: T0 + 4 });
    expect(state.eventCount).toBe(4);
    expect(state.taskCount).toBe(1);
  });

  it('a task-received after task-succeeded keeps SUCCESS but fills in name and args', () => {
    const state = new ClusterState();
    state.event(taskEvent('task-succeeded', 't1', T0 + 4, { result: '5' }));
    state.event(taskEvent('task-started', 't1', T0 + 3));
    state.event(taskEvent('task-received', 't1', T0 + 2, { name: 'add', args: '(2, 3)', kwargs: '{}' }));
    expect(state.tasks.get('t1')).toMatchObject({ state: 'SUCCESS', name: 'add', args: '(2, 3)', result: '5' });
    expect(state.taskTypes()).toEqual(['add']);
  });

  it('feeds the captured Celery vectors through', () => {
    const state = new ClusterState({ now: () => 1_795_315_400_000 });
    const names = [
      'event-worker-online.json',
      'event-worker-heartbeat.json',
      'event-task-sent.json',
      'event-task-received.json',
      'event-task-started.json',
      'event-task-succeeded.json',
      'event-task-failed.json',
      'event-task-retried.json',
      'event-task-rejected.json',
      'event-task-revoked-expired.json',
      'event-task-revoked-terminated.json',
    ];
    for (const name of names) {
      const { event } = readVector<{ event: QEvent }>(name);
      state.event({ ...event, local_received: event.timestamp });
    }
    expect(state.counters).toMatchObject({ eventCount: names.length, ignoredCount: 0, invalidFieldCount: 0, unknownCount: 0 });
    const add = state.tasks.get('404558d9-a006-4198-a997-21887975f852');
    expect(add).toMatchObject({ state: 'SUCCESS', name: 'capapp.add', args: '(2, 3)', kwargs: '{}', result: '5', worker: 'w1@cap' });
    expect(add?.runtime).toBeCloseTo(0.0059, 3);
    expect(add?.timeline.map((e) => e.type)).toEqual(['task-received', 'task-started', 'task-succeeded']);
    expect(state.tasks.get('1ac679a3-f7c4-4074-95b3-6bfc926fc1cd')).toMatchObject({ state: 'FAILURE', exception: "ValueError('bad thing')" });
    expect(state.tasks.get('1ac679a3-f7c4-4074-95b3-6bfc926fc1cd')?.traceback).toContain('Traceback');
    expect(state.tasks.get('0c253d54-c875-4e4c-a3da-67fb83e79d55')).toMatchObject({ state: 'RETRY', exception: "KeyError('boom')" });
    expect(state.tasks.get('0e6a2230-d76f-4f66-aec5-851d8d1cc08c')).toMatchObject({ state: 'REJECTED', requeue: false });
    expect(state.tasks.get('509edccd-3f2c-4440-aeee-c5dddf015ecd')).toMatchObject({ state: 'REVOKED', expired: true, terminated: false });
    expect(state.tasks.get('6ce3f7fd-6a7f-4d19-afec-11963c0d0129')).toMatchObject({ state: 'REVOKED', terminated: true, signum: 15 });
    expect(state.tasks.get('5efab32d-bd7e-4690-8199-6af0bbf837cd')).toMatchObject({
      state: 'PENDING',
      name: 'capapp.echo',
      client: 'gen13067@vm',
      args: "(1, 'two')",
      kwargs: "{'k': 'v'}",
      queue: 'celery',
      routingKey: 'celery',
    });
    expect(state.workers.get('w1@cap')).toMatchObject({ pid: 11056, freq: 2, swIdent: 'py-celery', swVer: '5.2.6', loadavg: [0.25, 0.3, 0.16] });
    expect(state.workers.has('gen13067@vm')).toBe(false);
    expect(JSON.parse(JSON.stringify(state.snapshot()))).toEqual(state.snapshot());
  });

  it('links children to their parent, whichever arrives first', () => {
    const state = new ClusterState();
    state.event(taskEvent('task-received', 'child-early', T0 + 1, { parent_id: 'parent', root_id: 'parent' }));
    state.event(taskEvent('task-received', 'parent', T0 + 2));
    state.event(taskEvent('task-received', 'child-late', T0 + 3, { parent_id: 'parent', root_id: 'parent' }));
    state.event(taskEvent('task-started', 'child-late', T0 + 4, {}));
    expect(state.tasks.get('parent')?.children).toEqual(['child-early', 'child-late']);
    expect(state.tasks.get('child-late')).toMatchObject({ parentId: 'parent', rootId: 'parent' });
  });

  it('counts tasks per name per state and lists task types', () => {
    const state = new ClusterState();
    state.event(taskEvent('task-received', 'a', T0 + 1, { name: 'add' }));
    state.event(taskEvent('task-received', 'b', T0 + 2, { name: 'add' }));
    state.event(taskEvent('task-succeeded', 'b', T0 + 3));
    state.event(taskEvent('task-received', 'c', T0 + 4, { name: 'mul' }));
    state.event(taskEvent('task-failed', 'c', T0 + 5, { exception: 'E()' }));
    state.event(taskEvent('task-started', 'anon', T0 + 6));
    expect(state.taskCounts()).toEqual({ add: { RECEIVED: 1, SUCCESS: 1 }, mul: { FAILURE: 1 } });
    expect(state.taskTypes()).toEqual(['add', 'mul']);
  });

  it('lists tasks newest first, filtered by state, name, worker and search text', () => {
    const state = new ClusterState();
    state.event(taskEvent('task-received', 'aaa-1', T0 + 1, { name: 'add', args: '(1, 2)', kwargs: '{}' }));
    state.event(taskEvent('task-received', 'bbb-2', T0 + 2, { name: 'mul', args: '(3, 4)', kwargs: "{'Flag': True}", hostname: 'w2@h' }));
    state.event(taskEvent('task-received', 'ccc-3', T0 + 3, { name: 'add', args: '(5, 6)' }));
    state.event(taskEvent('task-succeeded', 'aaa-1', T0 + 4, { result: "'needle'" }));
    expect(state.tasksByTime().map((t) => t.uuid)).toEqual(['aaa-1', 'ccc-3', 'bbb-2']);
    expect(state.tasksByTime({ limit: 2 }).map((t) => t.uuid)).toEqual(['aaa-1', 'ccc-3']);
    expect(state.tasksByTime({ state: 'RECEIVED' }).map((t) => t.uuid)).toEqual(['ccc-3', 'bbb-2']);
    expect(state.tasksByTime({ state: ['SUCCESS', 'FAILURE'] }).map((t) => t.uuid)).toEqual(['aaa-1']);
    expect(state.tasksByTime({ name: 'add' }).map((t) => t.uuid)).toEqual(['aaa-1', 'ccc-3']);
    expect(state.tasksByTime({ worker: 'w2@h' }).map((t) => t.uuid)).toEqual(['bbb-2']);
    expect(state.tasksByTime({ search: 'NEEDLE' }).map((t) => t.uuid)).toEqual(['aaa-1']);
    expect(state.tasksByTime({ search: 'flag' }).map((t) => t.uuid)).toEqual(['bbb-2']);
    expect(state.tasksByTime({ search: '(5, 6' }).map((t) => t.uuid)).toEqual(['ccc-3']);
    expect(state.tasksByTime({ search: 'ccc' }).map((t) => t.uuid)).toEqual(['ccc-3']);
    expect(state.tasksByTime({ search: 'mul', state: 'SUCCESS' })).toEqual([]);
  });

  it('evicts the least recently updated tasks beyond maxTasksInMemory', () => {
    const state = new ClusterState({ maxTasksInMemory: 3 });
    for (const [i, uuid] of ['a', 'b', 'c'].entries()) state.event(taskEvent('task-received', uuid, T0 + i));
    state.event(taskEvent('task-started', 'a', T0 + 5));
    state.event(taskEvent('task-received', 'd', T0 + 6));
    expect([...state.tasks.keys()]).toEqual(['c', 'a', 'd']);
  });

  it('holds 100k tasks with maxTasksInMemory 100_000, keeping the newest', () => {
    const state = new ClusterState({ maxTasksInMemory: 100_000 });
    for (let i = 0; i < 120_000; i += 1) state.event(taskEvent('task-received', `t${i}`, T0 + i / 1000, { name: 'add' }));
    expect(state.tasks.size).toBe(100_000);
    expect(state.tasks.has('t19999')).toBe(false);
    expect(state.tasks.has('t20000')).toBe(true);
    expect(state.tasksByTime({ limit: 1 })[0]?.uuid).toBe('t119999');
    expect(state.taskCount).toBe(120_000);
  });

  it('clear() forgets workers, counters and finished tasks; readyOnly false forgets every task', () => {
    const state = new ClusterState();
    state.event(workerEvent('worker-online', 'w1@h', T0));
    state.event(taskEvent('task-received', 'running', T0 + 1, { name: 'add' }));
    state.event(taskEvent('task-succeeded', 'done', T0 + 2));
    state.clear();
    expect([...state.tasks.keys()]).toEqual(['running']);
    expect(state.workers.size).toBe(0);
    expect(state.eventCount).toBe(0);
    expect(state.taskCount).toBe(0);
    expect(state.taskTypes()).toEqual(['add']);
    state.clear({ readyOnly: false });
    expect(state.tasks.size).toBe(0);
  });
});

describe('ClusterState workers', () => {
  it('records a worker from its events, alive until freq × 200 % after the last heartbeat', () => {
    const clock = clockAt(T0);
    const state = new ClusterState({ now: clock.now });
    state.event(workerEvent('worker-online', 'w1@h', T0));
    expect(state.workers.get('w1@h')).toMatchObject({ pid: 7, freq: 2, active: 0, swIdent: 'py-celery', alive: true, status: 'ONLINE' });
    clock.set(T0 + 3);
    state.event(workerEvent('worker-heartbeat', 'w1@h', T0 + 3, { active: 2, processed: 5 }));
    clock.set(T0 + 6.9);
    expect(state.aliveWorkers().map((w) => w.hostname)).toEqual(['w1@h']);
    expect(state.workers.get('w1@h')).toMatchObject({ active: 2, processed: 5 });
    clock.set(T0 + 7);
    expect(state.aliveWorkers()).toEqual([]);
    expect(state.workers.get('w1@h')?.status).toBe('OFFLINE');
  });

  it('heartbeatExpireWindow widens the window', () => {
    const state = new ClusterState({ now: () => (T0 + 5) * 1000, heartbeatExpireWindow: 300 });
    state.event(workerEvent('worker-heartbeat', 'w1@h', T0));
    expect(state.aliveWorkers()).toHaveLength(1);
  });

  it('worker-offline makes the worker not alive at once, and keeps it listed', () => {
    const state = new ClusterState({ now: clockAt(T0 + 1).now });
    const left: string[] = [];
    const joined: string[] = [];
    const tracking = new ClusterState({
      now: clockAt(T0 + 1).now,
      onNodeJoin: (w) => joined.push(w.hostname),
      onNodeLeave: (w) => left.push(w.hostname),
    });
    for (const s of [state, tracking]) {
      s.event(workerEvent('worker-online', 'w1@h', T0));
      s.event(workerEvent('worker-offline', 'w1@h', T0 + 1));
      s.event(workerEvent('worker-offline', 'ghost@h', T0 + 1));
    }
    expect(state.workers.get('w1@h')?.alive).toBe(false);
    expect(state.workers.has('ghost@h')).toBe(false);
    expect(joined).toEqual(['w1@h']);
    expect(left).toEqual(['w1@h', 'ghost@h']);
  });

  it('task events count as heartbeats of the worker that sent them', () => {
    const state = new ClusterState({ now: clockAt(T0 + 100).now });
    state.event(taskEvent('task-started', 't1', T0 + 99));
    expect(state.workers.get('w1@h')?.alive).toBe(true);
    expect(state.workers.get('w1@h')?.heartbeats).toEqual([T0 + 99]);
  });

  it('counts events whose timestamp drifts more than 16 s from receipt, warning once per worker', () => {
    const warn = vi.fn();
    const logger = { warn, trace() {}, debug() {}, info() {}, error() {}, fatal() {}, child: () => logger } as unknown as Logger;
    const state = new ClusterState({ logger });
    state.event(workerEvent('worker-heartbeat', 'w1@h', T0, { local_received: T0 + 16 }));
    expect(state.counters.driftWarningCount).toBe(0);
    state.event(workerEvent('worker-heartbeat', 'w1@h', T0, { local_received: T0 + 17 }));
    state.event(taskEvent('task-started', 't1', T0, { local_received: T0 - 30 }));
    expect(state.counters.driftWarningCount).toBe(2);
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('without local_received, uses the injected clock as the receive time', () => {
    const state = new ClusterState({ now: () => (T0 + 1) * 1000 });
    const { local_received: _, ...event } = workerEvent('worker-heartbeat', 'w1@h', T0);
    state.event(event as QEvent);
    expect(state.workers.get('w1@h')?.heartbeats).toEqual([T0 + 1]);
  });

  it('a clock going backwards does not break liveness: the latest heartbeat counts', () => {
    const clock = clockAt(T0 + 10);
    const state = new ClusterState({ now: clock.now });
    state.event(workerEvent('worker-heartbeat', 'w1@h', T0 + 10));
    state.event(workerEvent('worker-heartbeat', 'w1@h', T0 + 2));
    expect(state.workers.get('w1@h')?.heartbeats).toEqual([T0 + 2, T0 + 10]);
    expect(state.workers.get('w1@h')?.alive).toBe(true);
  });

  it('evicts the least recently updated workers beyond maxWorkersInMemory', () => {
    const state = new ClusterState({ maxWorkersInMemory: 2 });
    state.event(workerEvent('worker-online', 'a', T0));
    state.event(workerEvent('worker-online', 'b', T0));
    state.event(workerEvent('worker-heartbeat', 'a', T0 + 1));
    state.event(workerEvent('worker-online', 'c', T0 + 2));
    expect([...state.workers.keys()]).toEqual(['a', 'c']);
  });
});

describe('ClusterState bad input', () => {
  it('counts malformed events as ignored and never throws', () => {
    const state = new ClusterState();
    const junk: unknown[] = [
      null,
      42,
      'task-received',
      [],
      {},
      { type: 7 },
      { type: 'task-received', hostname: 'w', timestamp: T0 },
      { type: 'task-received', uuid: '', hostname: 'w', timestamp: T0 },
      { type: 'task-received', uuid: 'x', timestamp: T0 },
      { type: 'task-received', uuid: 'x', hostname: 'w', timestamp: 'soon' },
      { type: 'task-received', uuid: 'x', hostname: 'w', timestamp: Number.NaN },
      { type: 'worker-heartbeat', timestamp: T0 },
      { type: 'worker-heartbeat', hostname: 'w' },
    ];
    for (const e of junk) expect(() => state.event(e as QEvent)).not.toThrow();
    expect(state.counters).toMatchObject({ eventCount: junk.length, ignoredCount: junk.length, unknownCount: 0 });
    expect(state.tasks.size).toBe(0);
    expect(state.workers.size).toBe(0);
  });

  it('counts unknown types and otherwise ignores them', () => {
    const state = new ClusterState();
    state.event({ type: 'scheduler-tick', hostname: 'b', timestamp: T0, utcoffset: 0, pid: 1, clock: 1 });
    state.event({ type: 'task-', hostname: 'b', timestamp: T0, utcoffset: 0, pid: 1, clock: 1, uuid: 'x' });
    expect(state.counters).toMatchObject({ eventCount: 2, unknownCount: 2, ignoredCount: 0 });
    expect(state.tasks.size + state.workers.size).toBe(0);
  });

  it('drops mistyped fields, counts them, and applies the rest', () => {
    const state = new ClusterState();
    state.event(taskEvent('task-received', 't1', T0, { name: ['add'], args: '()', clock: 'late' }));
    expect(state.tasks.get('t1')).toMatchObject({ state: 'RECEIVED', args: '()', clock: 0 });
    expect(state.tasks.get('t1')?.name).toBeUndefined();
    expect(state.counters.invalidFieldCount).toBe(1);
  });

  it('a throwing callback is logged, not thrown', () => {
    const error = vi.fn();
    const logger = { error, warn() {}, trace() {}, debug() {}, info() {}, fatal() {}, child: () => logger } as unknown as Logger;
    const state = new ClusterState({
      logger,
      onEvent: () => {
        throw new Error('boom');
      },
    });
    expect(() => state.event(taskEvent('task-received', 't1', T0))).not.toThrow();
    expect(error).toHaveBeenCalledTimes(1);
    expect(state.tasks.has('t1')).toBe(true);
  });

  it('onEvent sees each applied event with the state already updated', () => {
    const seen: string[] = [];
    const state = new ClusterState({ onEvent: (e, s) => seen.push(`${e.type}:${s.tasks.get('t1')?.state}`) });
    state.event(taskEvent('task-received', 't1', T0));
    state.event(null as unknown as QEvent);
    expect(seen).toEqual(['task-received:RECEIVED']);
  });

  it('rejects non-positive limits with a ConfigError', () => {
    expect(() => new ClusterState({ maxTasksInMemory: 0 })).toThrow(/maxTasksInMemory/);
    expect(() => new ClusterState({ maxWorkersInMemory: 1.5 })).toThrow(/maxWorkersInMemory/);
    expect(() => new ClusterState({ heartbeatExpireWindow: -1 })).toThrow(/heartbeatExpireWindow/);
  });
});
