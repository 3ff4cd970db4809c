import { describe, expect, it } from 'vitest';
import { queueLengths } from './queue-lengths.js';

describe('queueLengths', () => {
  it('asks each transport that can tell, and leaves out those that cannot, fail or never answer', async () => {
    const asked: string[] = [];
    const lengths = await queueLengths(
      [
        { queue: 'a', transport: { queueSize: async (q: string) => (asked.push(q), 3) } },
        { queue: 'b', transport: {} },
        { queue: 'c', transport: { queueSize: () => Promise.reject(new Error('down')) } },
        { queue: 'd', transport: { queueSize: () => new Promise<number>(() => undefined) } },
        { queue: 'e', transport: { queueSize: () => { throw new Error('sync'); } } },
        { queue: 'f', transport: { queueSize: async () => Number.NaN } },
      ],
      20,
    );
    expect([...lengths]).toEqual([['a', 3]]);
    expect(asked).toEqual(['a']);
  });
});
