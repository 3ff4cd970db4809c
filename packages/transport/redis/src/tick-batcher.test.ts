import { describe, expect, it } from 'vitest';
import { TickBatcher } from './tick-batcher.js';

describe('TickBatcher', () => {
  it('runs items added in one turn as one batch and settles each with its own outcome', async () => {
    const batches: number[][] = [];
    const b = new TickBatcher<number>(async (items) => {
      batches.push([...items]);
      return items.map((n) => (n === 3 ? new Error('three') : undefined));
    });
    const results = await Promise.allSettled([1, 2, 3].map((n) => b.add(n)));
    expect(batches).toEqual([[1, 2, 3]]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    await b.add(4);
    expect(batches).toEqual([[1, 2, 3], [4]]);
  });

  it('splits at maxBatch and rejects a whole batch whose flush throws', async () => {
    const sizes: number[] = [];
    const b = new TickBatcher<number>(async (items) => {
      sizes.push(items.length);
      if (items.includes(0)) throw new Error('boom');
      return [];
    }, 2);
    await Promise.all([1, 2, 3].map((n) => b.add(n)));
    expect(sizes).toEqual([2, 1]);
    await expect(b.add(0)).rejects.toThrow('boom');
  });
});
