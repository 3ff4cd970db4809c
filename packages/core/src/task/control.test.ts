import { describe, expect, it } from 'vitest';
import { Ignore, Reject, Retry, isControlSignal, isIgnore, isReject, isRetry } from './control.js';

describe('control signals', () => {
  it('are not Errors, so `instanceof Error` catch blocks do not swallow them', () => {
    expect(new Retry()).not.toBeInstanceOf(Error);
    expect(new Reject()).not.toBeInstanceOf(Error);
    expect(new Ignore()).not.toBeInstanceOf(Error);
  });

  it('are told apart by their guards', () => {
    const retry = new Retry({ countdownSeconds: 5, exc: new Error('flaky') });
    expect(isRetry(retry)).toBe(true);
    expect(isReject(retry)).toBe(false);
    expect(isIgnore(new Ignore())).toBe(true);
    expect(isReject(new Reject({ requeue: true }))).toBe(true);
    expect(isControlSignal(new Error('x'))).toBe(false);
    expect(isRetry(null)).toBe(false);
  });

  it('guards recognise a signal from another copy of the package (Symbol.for brand)', () => {
    const foreign = {};
    Object.defineProperty(foreign, Symbol.for('q.control.retry'), { value: true });
    expect(isRetry(foreign)).toBe(true);
    expect(isRetry({ countdownSeconds: 1 })).toBe(false);
  });

  it('carry their fields', () => {
    const eta = new Date('2030-01-01T00:00:00Z');
    const retry = new Retry({ eta, args: [1], kwargs: { y: 2 } });
    expect(retry.eta).toBe(eta);
    expect(retry.args).toEqual([1]);
    expect(String(retry)).toBe('Retry at 2030-01-01T00:00:00.000Z');
    expect(String(new Retry({ countdownSeconds: 3, exc: new Error('boom') }))).toBe('Retry in 3s: boom');
    const reject = new Reject({ requeue: true, reason: 'busy' });
    expect(reject.requeue).toBe(true);
    expect(new Reject().requeue).toBe(false);
    expect(reject.reason).toBe('busy');
  });
});
