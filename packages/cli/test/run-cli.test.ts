import { ConfigError, QError, TimeoutError } from '@q/core';
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

  it("adds the cause's stack with -l debug (where an app module threw at import)", () => {
    const io = memoryIo();
    const cause = new SyntaxError('Unexpected token');
    reportError(new QError('Q_ERR_MODULE_IMPORT_FAILED', 'failed to import app module tasks.ts: Unexpected token', { cause }), io, true);
    expect(io.err()).toMatch(/\ncaused by: SyntaxError: Unexpected token\n\s+at /);
    const quiet = memoryIo();
    reportError(new QError('Q_ERR_MODULE_IMPORT_FAILED', 'failed', { cause }), quiet, false);
    expect(quiet.err()).toBe('error: failed (Q_ERR_MODULE_IMPORT_FAILED)\n');
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
