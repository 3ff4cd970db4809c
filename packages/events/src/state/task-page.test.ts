import type { QEvent } from '../wire/event.js';
import { ClusterState } from './cluster-state.js';
import { describe, expect, it } from 'vitest';

function stateWith(count: number): ClusterState {
  const state = new ClusterState({ now: () => 1_000_000 });
  for (let n = 0; n < count; n += 1) {
    // Timestamps out of order and some equal (the clock breaks ties).
    const timestamp = 1000 + ((n * 7) % count) / 2;
    const fields = { uuid: `id-${n}`, hostname: `w${n % 3}@h`, timestamp, local_received: timestamp, clock: n, name: `t.${n % 4}`, args: `(${n},)`, kwargs: n % 5 === 0 ? "{'Colour': 'Red'}" : '{}' };
    state.event({ type: 'task-received', ...fields } as unknown as QEvent);
    if (n % 2 === 0) state.event({ type: 'task-succeeded', ...fields, result: `R${n}` } as unknown as QEvent);
  }
  return state;
}

describe('taskPage', () => {
  it('a page (newest kept while walking) has the order and total of the whole list, sorted', () => {
    const state = stateWith(300);
    const cases = [
      { query: {}, filters: {} },
      { query: { state: ['SUCCESS'] }, filters: { state: ['SUCCESS'] } },
      { query: { name: 't.1', worker: 'w2@h' }, filters: { name: 't.1', worker: 'w2@h' } },
    ];
    for (const { query, filters } of cases) {
      const all = state.tasksByTime(filters).map((t) => t.uuid);
      for (const [offset, limit] of [[0, 10], [5, 20], [290, 50], [0, 1000], [1000, 5]] as const) {
        const page = state.taskPage({ ...query, offset, limit });
        expect(page.total).toBe(all.length);
        expect(page.tasks.map((t) => t.uuid)).toEqual(all.slice(offset, offset + limit));
      }
    }
  });

  it('searches uuid, name, args, kwargs and result case-insensitively, regular-expression characters taken literally', () => {
    const state = stateWith(30);
    expect(state.taskPage({ search: 'cOLOUR', offset: 0, limit: 100 }).total).toBe(6);
    expect(state.taskPage({ search: 'r12', offset: 0, limit: 100 }).tasks.map((t) => t.uuid)).toEqual(['id-12']);
    expect(state.taskPage({ search: '(7,)', offset: 0, limit: 100 }).tasks.map((t) => t.uuid)).toEqual(['id-7']);
    expect(state.taskPage({ search: '.*', offset: 0, limit: 100 }).total).toBe(0);
    expect(state.taskPage({ search: 'ID-29', offset: 0, limit: 100 }).total).toBe(1);
  });
});
