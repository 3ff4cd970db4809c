import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DueHeap } from './due-heap.js';

describe('DueHeap', () => {
  it('pops items earliest first, whatever the push order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1e6 })), (ats) => {
        const heap = new DueHeap();
        ats.forEach((at, i) => heap.push({ at, name: String(i), version: i }));
        const out: number[] = [];
        for (let item = heap.pop(); item !== undefined; item = heap.pop()) out.push(item.at);
        expect(out).toEqual([...ats].sort((a, b) => a - b));
      }),
    );
  });

  it('compact keeps the accepted items in order', () => {
    const heap = new DueHeap();
    [5, 1, 4, 2, 3].forEach((at) => heap.push({ at, name: String(at), version: at % 2 }));
    heap.compact((i) => i.version === 1);
    expect(heap.size).toBe(3);
    expect([heap.pop()?.at, heap.pop()?.at, heap.pop()?.at, heap.pop()]).toEqual([1, 3, 5, undefined]);
  });
});
