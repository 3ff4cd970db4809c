import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { QEvent } from '../wire/event.js';
import { ClusterState } from './cluster-state.js';
import { stateOfSubject, statePrecedence } from './task-precedence.js';
import { LIFE, eventOf } from '../../test/task-life.js';


/** A non-empty set of distinct steps, in a random arrival order. */
const arrivals = fc
  .uniqueArray(fc.integer({ min: 0, max: LIFE.length - 1 }), { minLength: 1, maxLength: LIFE.length })
  .chain((picked) => fc.shuffledSubarray(picked, { minLength: picked.length, maxLength: picked.length }));

describe('ClusterState properties', () => {
  it('any arrival order of a task’s events ends in the precedence winner, with every event’s fields merged', () => {
    fc.assert(
      fc.property(arrivals, (order) => {
        const state = new ClusterState();
        for (const i of order) state.event(eventOf(i));
        const task = state.tasks.get('t1');
        const subjects = order.map((i) => LIFE[i]?.subject ?? '');
        const winner = order.reduce((best, i) =>
          statePrecedence(stateOfSubject(LIFE[i]?.subject ?? '')) < statePrecedence(stateOfSubject(LIFE[best]?.subject ?? ''))
            ? i
            : best,
        );
        expect(task?.state).toBe(stateOfSubject(LIFE[winner]?.subject ?? ''));
        expect(task?.timestamp).toBe(1000 + winner);
        expect(task?.clock).toBe(Math.max(...order) + 1);
        expect(task?.name).toBe(subjects.includes('sent') || subjects.includes('received') ? 'add' : undefined);
        expect(task?.parentId).toBe(subjects.includes('received') ? 'p' : undefined);
        expect(task?.result).toBe(subjects.includes('succeeded') ? '5' : undefined);
        expect(task?.exception).toBe(subjects.includes('failed') ? "ValueError('x')" : undefined);
        expect(task?.expired).toBe(subjects.includes('revoked') ? false : undefined);
        expect(task?.requeue).toBe(subjects.includes('rejected') ? false : undefined);
        expect(task?.timeline.map((e) => e.timestamp)).toEqual([...order].sort((a, b) => a - b).map((i) => 1000 + i));
      }),
    );
  });

  it('arbitrary junk never throws, is counted, and leaves a JSON-serializable snapshot', () => {
    const types = fc.constantFrom(
      ...['task-sent', 'task-received', 'task-started', 'task-succeeded', 'task-failed', 'task-retried'],
      ...['task-revoked', 'task-rejected', 'task-custom', 'task-', 'worker-online', 'worker-heartbeat'],
      ...['worker-offline', 'worker-', 'other', '', '-'],
    );
    const junkEvent = fc.oneof(
      fc.anything(),
      fc.record(
        {
          type: fc.oneof(types, fc.anything()),
          uuid: fc.oneof(fc.constantFrom('a', 'b', 'c'), fc.anything()),
          hostname: fc.oneof(fc.constantFrom('w1', 'w2'), fc.anything()),
          timestamp: fc.oneof(fc.double(), fc.anything()),
          local_received: fc.oneof(fc.double(), fc.anything()),
          clock: fc.anything(),
          name: fc.anything(),
          args: fc.anything(),
          parent_id: fc.oneof(fc.constantFrom('a', 'b', 'c'), fc.anything()),
          result: fc.anything(),
          runtime: fc.anything(),
          freq: fc.anything(),
          loadavg: fc.anything(),
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(fc.array(junkEvent, { maxLength: 40 }), fc.double(), (events, nowMs) => {
        const state = new ClusterState({ now: () => nowMs, maxTasksInMemory: 2, maxWorkersInMemory: 1 });
        for (const e of events) state.event(e as QEvent);
        expect(state.eventCount).toBe(events.length);
        expect(state.tasks.size).toBeLessThanOrEqual(2);
        expect(state.workers.size).toBeLessThanOrEqual(1);
        expect(() => JSON.stringify(state.snapshot())).not.toThrow();
        state.tasksByTime({ search: 'a' });
        state.taskCounts();
        state.aliveWorkers();
      }),
    );
  });
});
