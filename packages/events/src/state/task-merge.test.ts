import { describe, expect, it } from 'vitest';
import { ClusterState } from './cluster-state.js';
import { stateOfSubject, statePrecedence } from './task-precedence.js';
import { LIFE, eventOf } from '../../test/task-life.js';


function* subsets(n: number, maxSize: number, from = 0, picked: number[] = []): Generator<number[]> {
  if (picked.length > 0) yield picked;
  if (picked.length === maxSize) return;
  for (let i = from; i < n; i += 1) yield* subsets(n, maxSize, i + 1, [...picked, i]);
}

function* permutations(items: readonly number[]): Generator<number[]> {
  if (items.length <= 1) {
    yield [...items];
    return;
  }
  for (const [i, item] of items.entries()) {
    for (const rest of permutations([...items.slice(0, i), ...items.slice(i + 1)])) yield [item, ...rest];
  }
}

/** What any arrival order of the events in `picked` must end in. */
function expectMerged(state: ClusterState, picked: readonly number[]): void {
  const task = state.tasks.get('t1');
  const steps = picked.map((index) => ({ index, subject: LIFE[index]?.subject ?? '' }));
  const winner = steps.reduce((best, s) =>
    statePrecedence(stateOfSubject(s.subject)) < statePrecedence(stateOfSubject(best.subject)) ? s : best,
  );
  const has = (subject: string): boolean => steps.some((s) => s.subject === subject);
  expect(task?.state).toBe(stateOfSubject(winner.subject));
  expect(task?.timestamp).toBe(1000 + winner.index);
  expect(task?.clock).toBe(Math.max(...picked) + 1);
  expect(task?.name).toBe(has('sent') || has('received') ? 'add' : undefined);
  expect(task?.rootId).toBe(has('received') ? 'r' : undefined);
  expect(task?.result).toBe(has('succeeded') ? '5' : undefined);
  expect(task?.exception).toBe(has('failed') ? "ValueError('x')" : undefined);
  expect(task?.signum).toBe(has('revoked') ? 15 : undefined);
  expect(task?.client).toBe(has('sent') ? 'gen1@h' : undefined);
  for (const s of steps) if (s.subject !== 'progress') expect(task?.[s.subject as 'sent']).toBe(1000 + s.index);
  expect(task?.timeline.map((e) => e.timestamp)).toEqual([...picked].sort((a, b) => a - b).map((i) => 1000 + i));
}

describe('out-of-order task events', () => {
  it('every arrival order of up to 4 distinct events ends in the precedence winner with all fields merged', () => {
    let runs = 0;
    for (const picked of subsets(LIFE.length, 4)) {
      for (const order of permutations(picked)) {
        const state = new ClusterState();
        for (const i of order) state.event(eventOf(i));
        expectMerged(state, picked);
        runs += 1;
      }
    }
    expect(runs).toBe(8 + 56 + 336 + 1680);
  });
});
