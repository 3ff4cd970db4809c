import { ConfigError, TimeoutError } from '@q/core';
import { describe, expect, it } from 'vitest';
import { reportError } from '../src/run-cli.js';
import { UsageError } from '../src/usage-error.js';
import { memoryIo } from './helpers.js';

describe('reportError', () => {
  it('prints a QError as "error: <message> (<code>)" without a stack, exit 1', () => {
    const io = memoryIo();
    expect(reportError(new TimeoutError('Q_ERR_TIMEOUT', 'result not ready after 1 s'), io, false)).toBe(1);
    expect(io.err()).toBe('error: result not ready after 1 s (Q_ERR_TIMEOUT)\n');
  });

  it('adds the stack with -l debug', () => {
    const io = memoryIo();
    reportError(new TimeoutError('Q_ERR_TIMEOUT', 'late'), io, true);
    expect(io.err()).toMatch(/^error: late \(Q_ERR_TIMEOUT\)\nTimeoutError: late\n\s+at /);
  });

  it('gives usage errors exit code 2, other config errors 1', () => {
    expect(reportError(new UsageError('bad flag'), memoryIo(), false)).toBe(2);
    expect(reportError(new ConfigError('Q_ERR_CONFIG_INVALID', 'bad option'), memoryIo(), false)).toBe(1);
  });

  it('prints other errors by message, exit 1', () => {
    const io = memoryIo();
    expect(reportError(new Error('disk full'), io, false)).toBe(1);
    expect(io.err()).toBe('error: disk full\n');
  });
});
