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
  it('abandon fails the queued items and those of a batch under way, and ignores that batch\'s late outcome', async () => {
    let finish: (() => void) | undefined;
    const flushed: number[][] = [];
    const b = new TickBatcher<number>((items) => {
      flushed.push([...items]);
      return new Promise((resolve) => (finish = () => resolve([])));
    });
    const running = [b.add(1), b.add(2)];
    await new Promise((r) => setImmediate(r));
    expect(flushed).toEqual([[1, 2]]);
    const queued = b.add(3);
    b.abandon(new Error('gave up'));
    const outcomes = await Promise.allSettled([...running, queued]);
    expect(outcomes.map((o) => (o.status === 'rejected' ? (o.reason as Error).message : 'ok'))).toEqual(['gave up', 'gave up', 'gave up']);
    finish?.();
    await new Promise((r) => setImmediate(r));
    expect(flushed).toEqual([[1, 2]]);
    await b.drain();
  });
});
