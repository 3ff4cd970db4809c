import { describe, expect, it, vi } from 'vitest';
import { collapseBatch } from './task-store.js';
import type { TaskRow } from './result-row.js';

const row = (taskId: string, status: string): TaskRow => ({
  task_id: taskId, status, result: new Uint8Array(), date_done: null, traceback: null,
  name: null, args: null, kwargs: null, worker: null, retries: null, queue: null, q_meta: null,
});

describe('collapseBatch', () => {
  it('keeps the last state of each task, in the order tasks last appeared', () => {
    const items = [row('a', 'STARTED'), row('b', 'STARTED'), row('a', 'RETRY'), row('a', 'FAILURE')].map((r) => ({ row: r, payload: '', onSkipped: vi.fn() }));
    expect(collapseBatch(items).map((i) => `${i.row.task_id}:${i.row.status}`)).toEqual(['b:STARTED', 'a:FAILURE']);
  });

  it('keeps a SUCCESS over the states after it, reporting them skipped', () => {
    const items = [row('a', 'SUCCESS'), row('a', 'STARTED'), row('a', 'FAILURE')].map((r) => ({ row: r, payload: '', onSkipped: vi.fn() }));
    const kept = collapseBatch(items);
    expect(kept.map((i) => i.row.status)).toEqual(['SUCCESS']);
    expect(items[1]?.onSkipped).toHaveBeenCalledOnce();
    expect(items[2]?.onSkipped).toHaveBeenCalledOnce();
  });
});
