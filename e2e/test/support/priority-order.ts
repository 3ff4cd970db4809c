/**
 * The priority-order case shared by the interop suites: a blocker fills the worker, a sentinel may take the one
 * free prefetch slot, then three high- and three low-priority tasks are sent interleaved; the worker must record
 * the three high ones first.
 */
import type { Redis } from 'ioredis';
import { expect } from 'vitest';

/** The tasks to send, in this order: names and priorities (`hi` is the priority the worker serves first). */
export function priorityBatch(hi: number, lo: number): readonly (readonly [string, number])[] {
  return [['lo1', lo], ['lo2', lo], ['hi1', hi], ['lo3', lo], ['hi2', hi], ['hi3', hi]];
}

/** Asserts the ledger `key` recorded the three high tasks before the three low ones (entries prefixed `<runner>:`). */
export async function expectHighFirst(ledger: Redis, key: string, runner: 'q' | 'python'): Promise<void> {
  const prefix = `${runner}:`;
  const order = (await ledger.lrange(key, 0, -1)).map((e) => (e.startsWith(prefix) ? e.slice(prefix.length) : e)).filter((e) => e !== 'sentinel');
  expect(order.slice(0, 3).sort()).toEqual(['hi1', 'hi2', 'hi3']);
  expect(order.slice(3).sort()).toEqual(['lo1', 'lo2', 'lo3']);
}
