import { describe, expect, it } from 'vitest';
import { MaxRetriesExceededError } from '../errors/q-error.js';
import { isRetry, type Retry } from './control.js';
import { throwRetry, type RetryTarget } from './retry-signal.js';
import type { RetryOptions } from './types.js';

const target: RetryTarget = {
  id: 'id-1',
  name: 'tasks.add',
  retries: 1,
  maxRetries: 3,
  defaultRetryDelay: 180,
  argsrepr: '(1, 2)',
  kwargsrepr: '{}',
  timezone: 'Europe/Paris',
};

function thrown(options: RetryOptions, over: Partial<RetryTarget> = {}): unknown {
  try {
    throwRetry(options, { ...target, ...over });
  } catch (err) {
    return err;
  }
  throw new Error('throwRetry returned');
}

describe('throwRetry', () => {
  it('throws a Retry after the task default delay, or the given countdown', () => {
    const plain = thrown({}) as Retry;
    expect(isRetry(plain)).toBe(true);
    expect(plain.countdownSeconds).toBe(180);
    expect((thrown({ countdown: 5, args: [9], kwargs: { y: 1 } }) as Retry)).toMatchObject({ countdownSeconds: 5, args: [9], kwargs: { y: 1 } });
  });

  it('reads a naive eta in the app time zone', () => {
    const retry = thrown({ eta: '2026-06-01T12:00:00' }) as Retry;
    expect(retry.eta?.toISOString()).toBe('2026-06-01T10:00:00.000Z');
    expect(retry.countdownSeconds).toBeUndefined();
  });

  it('past maxRetries throws exc, or MaxRetriesExceededError naming the call', () => {
    const exc = new Error('down');
    expect(thrown({ exc }, { retries: 3 })).toBe(exc);
    const err = thrown({}, { retries: 3 });
    expect(err).toBeInstanceOf(MaxRetriesExceededError);
    expect((err as Error).message).toBe("Can't retry tasks.add[id-1] args:(1, 2) kwargs:{}");
    // The call's maxRetries wins over the task's: null retries forever.
    expect(isRetry(thrown({ maxRetries: null }, { retries: 99 }))).toBe(true);
  });
});
