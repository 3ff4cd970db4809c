import { describe, expect, it } from 'vitest';
import { QError } from '../errors/q-error.js';
import { withPublishRetry } from './publish-retry.js';

const policy = { maxRetries: 2, intervalStart: 0, intervalStep: 0.01, intervalMax: 0.01 };
const retryable = () => new QError('Q_ERR_CONNECTION_FAILED', 'down', { retryable: true });

describe('withPublishRetry', () => {
  it('retries retryable errors with the policy delays, then succeeds', async () => {
    let calls = 0;
    const retries: [number, number][] = [];
    const out = await withPublishRetry(async () => (++calls < 3 ? Promise.reject(retryable()) : 'ok'), policy, (_e, n, d) => void retries.push([n, d]));
    expect(out).toBe('ok');
    expect(retries).toEqual([[1, 0], [2, 0.01]]);
  });

  it('throws the last error after maxRetries, and non-retryable errors at once', async () => {
    let calls = 0;
    await expect(withPublishRetry(async () => { calls++; throw retryable(); }, policy, () => undefined)).rejects.toThrow('down');
    expect(calls).toBe(3);
    calls = 0;
    await expect(withPublishRetry(async () => { calls++; throw new Error('bad'); }, policy, () => undefined)).rejects.toThrow('bad');
    expect(calls).toBe(1);
  });
});
